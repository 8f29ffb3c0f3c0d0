import type { AmdSettings } from './request.js';

// docs/dialects/audiocodes.md: answerTimeoutSec 1–300, default 20; voicemailEndTimeoutSec default 20.
export const answerTimeoutSec = { min: 1, max: 300, default: 20 } as const;
export const voicemailEndTimeoutSec = { min: 1, max: 300, default: 20 } as const;

// docs/dialects/kore.md: the AMD timers and thresholdWordCount.
export const amdDefaults: AmdSettings = {
  thresholdWordCount: 9,
  noSpeechTimeoutMs: 5000,
  decisionTimeoutMs: 15000,
  toneTimeoutMs: 20000,
  greetingCompletionTimeoutMs: 2000,
};
