// The AMD event vocabulary shared by the engine, the call record, notifications and both dialects
// (docs/design.md, "AMD events"). atMs is the audio offset from answer at which the event fired.

export type AmdEvent = (
  | { type: 'amd_human_detected'; reason: string; greeting?: string; language?: string }
  | { type: 'amd_machine_detected'; reason: string; greeting?: string; language?: string; hint?: string }
  | { type: 'amd_no_speech_detected' }
  | { type: 'amd_decision_timeout' }
  | { type: 'amd_machine_stopped_speaking' }
  /**
   * After a human decision the audio showed a machine after all: a beep (strong evidence) or the greeting
   * going on (weak evidence). The first decision stands (docs/amd.md, "After a human decision").
   */
  | { type: 'amd_machine_after_human'; evidence: 'beep' | 'greeting' }
  | { type: 'amd_tone_detected'; frequency: number }
  | { type: 'amd_error'; error: string }
  | { type: 'amd_stopped' }
) & { atMs: number };

export type AmdEventType = AmdEvent['type'];

export const amdEventTypes: readonly AmdEventType[] = [
  'amd_human_detected',
  'amd_machine_detected',
  'amd_no_speech_detected',
  'amd_decision_timeout',
  'amd_machine_stopped_speaking',
  'amd_machine_after_human',
  'amd_tone_detected',
  'amd_error',
  'amd_stopped',
];

/** The four events one of which is a call's first decision; tone and stopped-speaking may follow it. */
export const amdDecisionTypes: readonly AmdEventType[] = ['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout'];

export function isAmdDecision(event: AmdEvent): boolean {
  return amdDecisionTypes.includes(event.type);
}
