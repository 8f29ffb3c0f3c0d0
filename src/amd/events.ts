// The event vocabulary itself is a domain type, shared with calls and notifications.
export type { AmdEvent, AmdEventType } from '../domain/index.js';

import type { AmdEvent } from '../domain/index.js';

export type LateMachineEvidence = Extract<AmdEvent, { type: 'amd_machine_after_human' }>['evidence'];

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
