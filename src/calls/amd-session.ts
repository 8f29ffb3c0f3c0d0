// AMD on one answered call: the engine fed with the callee's audio, the machineDetection policy applied to
// each event, and the rules for when listening stops. The call carries the actions out.

import { AmdEngine } from '../amd/index.js';
import { isAmdDecision, type AmdEvent, type MachineDetection } from '../domain/index.js';
import type { AmdSettings } from '../dialout/index.js';
import type { LegMedia } from '../media/index.js';
import { AudioSummarizer } from '../plot/audio-summarizer.js';
import { actionFor, voicemailTimeoutAction, type AmdFact, type PolicyAction, type PolicyContext } from './policy.js';

export interface AmdSessionOptions {
  mode: MachineDetection;
  settings: AmdSettings;
  onUndecided: PolicyContext['onUndecided'];
  /** detect mode: how long after a machine decision the bot is told the greeting ended without a beep. */
  voicemailEndTimeoutMs: number;
}

export interface AmdSessionHooks {
  /** Every event, in order, including those stop() flushes; `first` marks the call's first decision. */
  onEvent(event: AmdEvent, first: boolean): void;
  /** What the policy asks the call to do; never called after stop(). */
  onAction(action: PolicyAction): void;
  /** Whether the callee is bridged (or being bridged) to the bot. */
  bridged(): boolean;
}

function factOf(event: AmdEvent): AmdFact {
  if (event.type === 'amd_machine_detected') return { type: event.type, reason: event.reason };
  if (event.type === 'amd_machine_after_human') return { type: event.type, evidence: event.evidence };
  return { type: event.type };
}

export class AmdSession {
  private engine: AmdEngine | undefined;
  private voicemail = false;
  private promptEnded = false;
  private voicemailSinceMs: number | undefined;
  private firstDecision: AmdEvent | undefined;

  constructor(
    private readonly media: LegMedia,
    private readonly options: AmdSessionOptions,
    private readonly hooks: AmdSessionHooks,
  ) {
    this.engine = new AmdEngine(options.settings, 8000);
    media.on('frame', this.onFrame);
    media.on('gap', this.onGap);
  }

  /** The first decision's event type, for X-Machine-Detection; "none" before any. */
  get decisionSoFar(): string {
    return this.firstDecision?.type ?? 'none';
  }

  get listening(): boolean {
    return this.engine !== undefined;
  }

  /** The audio AMD heard, summarized for the call's AMD picture (bounded). */
  readonly audio = new AudioSummarizer();

  private readonly onFrame = (pcm: Int16Array): void => {
    this.audio.pushFrame(pcm);
    this.handle(this.engine?.pushFrame(pcm));
  };
  private readonly onGap = (ms: number): void => {
    this.audio.pushGap(ms);
    this.handle(this.engine?.pushGap(ms));
  };

  private context(): PolicyContext {
    return { mode: this.options.mode, onUndecided: this.options.onUndecided, bridged: this.hooks.bridged(), voicemail: this.voicemail, promptEnded: this.promptEnded };
  }

  private handle(events: AmdEvent[] | undefined): void {
    if (!events) return;
    for (const event of events) {
      if (!this.engine) return;
      const first = isAmdDecision(event) && this.firstDecision === undefined;
      if (first) this.firstDecision = event;
      this.hooks.onEvent(event, first);
      this.act(actionFor(factOf(event), this.context()));
      if (this.engine) this.maybeStop(event);
    }
    this.checkVoicemailTimeout();
    // after a human decision the engine listens on for a machine after all, for a bounded window
    if (this.engine && !this.voicemail && this.firstDecision?.type === 'amd_human_detected' && !this.engine.lateMachineWindowOpen) this.stop();
  }

  private act(action: PolicyAction): void {
    if ((action.action === 'bridge' && action.voicemail) || action.action === 'voicemail-prompt-start') {
      this.voicemail = true;
      this.voicemailSinceMs = this.engine?.offsetMs ?? 0;
    }
    if (action.action === 'voicemail-prompt-end') this.promptEnded = true;
    if (action.action !== 'none') this.hooks.onAction(action);
  }

  /** AMD runs until it has nothing more to tell this call. */
  private maybeStop(event: AmdEvent): void {
    const t = event.type;
    if (t === 'amd_stopped') return;
    if (this.options.mode === 'detect' && this.voicemail) {
      // Listening for the beep, then for the greeting to end after it.
      if (this.promptEnded && t === 'amd_machine_stopped_speaking') this.stop();
      return;
    }
    // a human decision is not the end: a beep or the greeting going on may follow (docs/amd.md)
    if (t === 'amd_human_detected') return;
    if (isAmdDecision(event) || t === 'amd_error') this.stop();
  }

  private checkVoicemailTimeout(): void {
    if (!this.engine || this.voicemailSinceMs === undefined || this.promptEnded) return;
    if (this.engine.offsetMs - this.voicemailSinceMs >= this.options.voicemailEndTimeoutMs) {
      this.act(voicemailTimeoutAction(this.context()));
    }
  }

  /** Stops listening; the engine's last events (amd_stopped) go to onEvent. Idempotent. */
  stop(): void {
    const engine = this.engine;
    if (!engine) return;
    this.engine = undefined;
    // Only AMD stops listening: the audio level for the call record keeps counting.
    this.media.off('frame', this.onFrame);
    this.media.off('gap', this.onGap);
    for (const event of engine.stop()) this.hooks.onEvent(event, false);
  }
}
