// What a call does with each AMD event, per machineDetection mode (docs/dialects/audiocodes.md, "Machine detection"). Pure: the call
// object carries the actions out.

import type { MachineDetection } from '../domain/index.js';

/** The AMD event facts the policy needs (a subset of the engine's AmdEvent). */
export type AmdFact =
  | { type: 'amd_human_detected' }
  | { type: 'amd_machine_detected'; reason: string }
  | { type: 'amd_no_speech_detected' }
  | { type: 'amd_decision_timeout' }
  | { type: 'amd_tone_detected' }
  | { type: 'amd_machine_stopped_speaking' }
  | { type: 'amd_machine_after_human'; evidence: 'beep' | 'greeting' }
  | { type: 'amd_error' }
  | { type: 'amd_stopped' };

/** Why outdial itself hung up on the callee. */
export type HangupCause = 'machine' | 'fax' | 'sit';

export type PolicyAction =
  /** Connect the callee to the bot; `voicemail` marks a detect-mode machine (the bot is told). */
  | { action: 'bridge'; voicemail: boolean }
  | { action: 'hangup'; cause: HangupCause }
  /** detect mode: a call bridged as a person turned out to be a voicemail greeting; the bot is told. */
  | { action: 'voicemail-prompt-start' }
  /** detect mode: the greeting is over (beep heard, or voicemailEndTimeoutSec passed). */
  | { action: 'voicemail-prompt-end'; by: 'beep' | 'timeout' }
  | { action: 'none' };

export interface PolicyContext {
  mode: MachineDetection;
  /** disconnect mode: what no speech / decision timeout leads to. */
  onUndecided: 'bridge' | 'hangup';
  /** Whether the callee is already bridged to the bot. */
  bridged: boolean;
  /** detect mode: a machine was decided and the bot told voicemail-prompt-start. */
  voicemail: boolean;
  /** detect mode: voicemail-prompt-end-beep was already sent. */
  promptEnded: boolean;
}

function machineCause(reason: string): HangupCause {
  if (reason === 'fax') return 'fax';
  if (reason === 'sit') return 'sit';
  return 'machine';
}

/** The action for one AMD event on a call in the given context. */
export function actionFor(event: AmdFact, ctx: PolicyContext): PolicyAction {
  if (ctx.mode === 'disabled') return { action: 'none' };
  switch (event.type) {
    case 'amd_human_detected':
      return ctx.bridged ? { action: 'none' } : { action: 'bridge', voicemail: false };
    case 'amd_machine_detected': {
      const cause = machineCause(event.reason);
      // A fax or an intercept never gets the bot, in either mode.
      if (cause !== 'machine' || ctx.mode === 'disconnect') return { action: 'hangup', cause };
      return ctx.bridged ? { action: 'none' } : { action: 'bridge', voicemail: true };
    }
    case 'amd_tone_detected':
      // docs/dialects/audiocodes.md: in disconnect mode a beep marks the call as a machine just as a machine decision does.
      if (ctx.mode === 'disconnect') return ctx.bridged ? { action: 'none' } : { action: 'hangup', cause: 'machine' };
      if (ctx.voicemail && !ctx.promptEnded) return { action: 'voicemail-prompt-end', by: 'beep' };
      return { action: 'none' };
    case 'amd_no_speech_detected':
    case 'amd_decision_timeout':
      if (ctx.bridged) return { action: 'none' };
      if (ctx.mode === 'disconnect' && ctx.onUndecided === 'hangup') return { action: 'hangup', cause: 'machine' };
      return { action: 'bridge', voicemail: false };
    case 'amd_error':
      // Detection failed: the callee may be a person, so the bot gets the call rather than a hang-up.
      return ctx.bridged ? { action: 'none' } : { action: 'bridge', voicemail: false };
    case 'amd_machine_after_human':
      // The first decision stands (the bot already has the call). docs/amd.md, "After a human decision":
      // disconnect mode hangs up only on a beep, strong evidence; the greeting going on is not enough to
      // hang up on someone who may be a person. detect mode tells the bot it is talking to a recorder.
      if (ctx.mode === 'disconnect') return event.evidence === 'beep' ? { action: 'hangup', cause: 'machine' } : { action: 'none' };
      return ctx.voicemail ? { action: 'none' } : { action: 'voicemail-prompt-start' };
    case 'amd_machine_stopped_speaking':
    case 'amd_stopped':
      return { action: 'none' };
  }
}

/** detect mode: the voicemailEndTimeoutSec timer expired before a beep. */
export function voicemailTimeoutAction(ctx: PolicyContext): PolicyAction {
  if (ctx.mode === 'detect' && ctx.voicemail && !ctx.promptEnded) return { action: 'voicemail-prompt-end', by: 'timeout' };
  return { action: 'none' };
}

/** The AudioCodes final notification's machineDetection value in detect mode (docs/dialects/audiocodes.md). */
export function voicemailOutcome(promptEndedBy: 'beep' | 'timeout'): string;
export function voicemailOutcome(promptEndedBy: 'beep' | 'timeout' | undefined): string | undefined;
export function voicemailOutcome(promptEndedBy: 'beep' | 'timeout' | undefined): string | undefined {
  if (promptEndedBy === 'beep') return 'voicemail beep';
  if (promptEndedBy === 'timeout') return 'voicemail timeout';
  return undefined;
}
