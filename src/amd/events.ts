/** The AMD event vocabulary shared by every dialect; atMs is the audio offset at which the event fired. */
export type AmdEvent = (
  | { type: 'amd_human_detected'; reason: string; greeting?: string; language?: string }
  | { type: 'amd_machine_detected'; reason: string; greeting?: string; language?: string; hint?: string }
  | { type: 'amd_no_speech_detected' }
  | { type: 'amd_decision_timeout' }
  | { type: 'amd_machine_stopped_speaking' }
  | { type: 'amd_tone_detected'; frequency: number }
  | { type: 'amd_error'; error: string }
  | { type: 'amd_stopped' }
) & { atMs: number };

export type AmdEventType = AmdEvent['type'];

/** What a speech recognizer hands the engine. */
export interface Transcript {
  text: string;
  language?: string;
  final: boolean;
}

/** Machine decision reasons the audio detectors produce. */
export const MachineReason = {
  longGreeting: 'long greeting',
  hint: 'hint',
  beep: 'beep',
  fax: 'fax',
  sit: 'sit',
} as const;

export const HumanReason = { shortGreeting: 'short greeting' } as const;
