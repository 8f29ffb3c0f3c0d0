// How long the engine waits before and after a decision (docs/amd.md has the measurements behind them).

import type { GreetingTracker } from './greeting-tracker.js';

/**
 * Speech that spans up to SHORT_UTTERANCE_MS from its onset is a short answer ("hello?"): speechEndThresholdMs
 * of silence after it means a person waiting. Longer speech may be a greeting's first sentence taking a
 * breath, so the wait grows with its span, up to (1 + LONG_UTTERANCE_EXTRA_WAIT) × speechEndThresholdMs
 * from LONG_UTTERANCE_SPAN_MS on (greetings pause 0.4–1.5 s between sentences, and short greetings' beeps
 * come up to ~2.5 s after the words; docs/amd.md has the measurements).
 */
const SHORT_UTTERANCE_MS = 800;
const LONG_UTTERANCE_SPAN_MS = 1000;
const LONG_UTTERANCE_EXTRA_WAIT = 3;
/** Speech after this much silence, itself short, is a person asking again ("hello?"): the short wait applies. */
const ASKS_AGAIN_PAUSE_MS = 1500;
/** After a human decision, speech resuming this soon and running on into a long greeting shows a machine. */
export const GREETING_RESUME_MS = 1500;
/**
 * How long after a human decision a beep still counts as a machine after all: short greetings' beeps come
 * up to ~3 s after the words (docs/amd.md, "After a human decision").
 */
export const LATE_MACHINE_WINDOW_MS = 5000;
/** An utterance running this long without a pause is a recording, whatever the word estimate says. */
export const LONG_UTTERANCE_MS = 5000;
/** After a beep the recorder is listening: this much silence means the machine finished. */
const AFTER_BEEP_SILENCE_MS = 1000;

/** Silence after the speech so far that means a person is waiting for an answer. */
export function speechEndWaitMs(
  speechEndThresholdMs: number,
  greeting: Pick<GreetingTracker, 'pauseBeforeUtteranceMs' | 'utteranceStartMs' | 'onsetMs' | 'lastVoiceEndMs'>,
): number {
  const base = speechEndThresholdMs;
  // a short "hello?" again after the caller said nothing for a while is a person asking, not a greeting
  const asksAgain = greeting.pauseBeforeUtteranceMs >= ASKS_AGAIN_PAUSE_MS;
  const from = asksAgain ? greeting.utteranceStartMs : (greeting.onsetMs ?? 0);
  const span = greeting.lastVoiceEndMs - from;
  if (span <= SHORT_UTTERANCE_MS) return base;
  const extra = base * LONG_UTTERANCE_EXTRA_WAIT * Math.min(1, (span - SHORT_UTTERANCE_MS) / (LONG_UTTERANCE_SPAN_MS - SHORT_UTTERANCE_MS));
  return base + extra;
}

/**
 * Whether the machine has finished: enough silence since its last sound — AFTER_BEEP_SILENCE_MS after a beep
 * (the recorder is listening), greetingCompletionTimeoutMs after its voice. Never before any sound.
 */
export function machineFinished(nowMs: number, lastVoiceEndMs: number, lastToneEndMs: number, greetingCompletionTimeoutMs: number): boolean {
  const afterBeep = lastToneEndMs > lastVoiceEndMs;
  const activityEnd = Math.max(lastVoiceEndMs, lastToneEndMs);
  if (activityEnd === -Infinity) return false;
  const needed = afterBeep ? AFTER_BEEP_SILENCE_MS : greetingCompletionTimeoutMs;
  return nowMs - activityEnd >= needed;
}
