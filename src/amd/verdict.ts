import { MachineReason, type AmdEvent } from './events.js';

export type MachineEvent = Extract<AmdEvent, { type: 'amd_machine_detected' }>;
type Phase = 'listening' | 'decided' | 'stopped';

/**
 * The engine's verdict: listening until the first decision, decided after it, stopped at the end. It
 * stands apart from the detectors because it is the one rule they all go through: the first decision wins
 * and is never taken back (later evidence is only reported as amd_machine_after_human).
 */
export class Verdict {
  phase: Phase = 'listening';
  /** The first decision: human, machine, no speech or decision timeout. */
  first: AmdEvent | undefined;
  /** Why the call is a machine: the machine decision's reason, or the late evidence after a human one. */
  machineReason: string | undefined;

  /** Whether this stopped the verdict now (false when it was stopped already). */
  stop(): boolean {
    if (this.phase === 'stopped') return false;
    this.phase = 'stopped';
    return true;
  }

  decideMachine(event: MachineEvent, out: AmdEvent[]): void {
    if (this.phase !== 'listening') return;
    this.machineReason = event.reason;
    this.decide(event, out);
  }

  decide(event: AmdEvent, out: AmdEvent[]): void {
    if (this.phase !== 'listening') return;
    this.phase = 'decided';
    this.first = event;
    out.push(event);
  }

  /** Tones are reported unless the machine was recognised by a tone signal of its own (fax, SIT). */
  get reportsTones(): boolean {
    return this.machineReason !== MachineReason.fax && this.machineReason !== MachineReason.sit;
  }
}
