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

/** The AMD timers a dialout body (Kore `timers`) or an inbound route may set, each one optional. */
export type AmdTimers = { [K in Exclude<keyof AmdSettings, 'thresholdWordCount'>]?: number | undefined };

/** The AMD settings of a call from its thresholdWordCount and timers as given; each one left out takes its default. */
export function amdSettings(thresholdWordCount: number | undefined, timers: AmdTimers): AmdSettings {
  return {
    thresholdWordCount: thresholdWordCount ?? amdDefaults.thresholdWordCount,
    noSpeechTimeoutMs: timers.noSpeechTimeoutMs ?? amdDefaults.noSpeechTimeoutMs,
    decisionTimeoutMs: timers.decisionTimeoutMs ?? amdDefaults.decisionTimeoutMs,
    toneTimeoutMs: timers.toneTimeoutMs ?? amdDefaults.toneTimeoutMs,
    greetingCompletionTimeoutMs: timers.greetingCompletionTimeoutMs ?? amdDefaults.greetingCompletionTimeoutMs,
    ...(timers.speechEndThresholdMs !== undefined && { speechEndThresholdMs: timers.speechEndThresholdMs }),
  };
}
