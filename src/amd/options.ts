/** Timers and thresholds of one AMD run, with the meanings of the jambonz / Kore AMD documentation. */
export interface AmdOptions {
  /** Spoken words in a greeting that make it a machine. */
  thresholdWordCount: number;
  /** No speech within this time → amd_no_speech_detected. */
  noSpeechTimeoutMs: number;
  /** No decision within this time → amd_decision_timeout. */
  decisionTimeoutMs: number;
  /** Tones (beeps) are listened for until this audio offset. */
  toneTimeoutMs: number;
  /** Silence after a machine greeting that means the machine stopped speaking. */
  greetingCompletionTimeoutMs: number;
  /**
   * Silence that ends an utterance: after a short first utterance, this much silence means a person is
   * waiting for an answer (Kore `timers.speechEndThresholdMs`). Longer first utterances wait longer.
   */
  speechEndThresholdMs: number;
  /** Voicemail hint phrases per language (e.g. "en-US"), used with transcripts. */
  hints?: Record<string, string[]>;
}

export const defaultAmdOptions: AmdOptions = Object.freeze({
  thresholdWordCount: 9,
  noSpeechTimeoutMs: 5000,
  decisionTimeoutMs: 15000,
  toneTimeoutMs: 20000,
  greetingCompletionTimeoutMs: 2000,
  speechEndThresholdMs: 700,
});

const numericKeys = [
  'thresholdWordCount',
  'noSpeechTimeoutMs',
  'decisionTimeoutMs',
  'toneTimeoutMs',
  'greetingCompletionTimeoutMs',
  'speechEndThresholdMs',
] as const;

/** Merges options over the defaults; returns an error text naming the bad option instead of throwing. */
export function resolveAmdOptions(options: Partial<AmdOptions> | undefined): AmdOptions | string {
  const merged: AmdOptions = { ...defaultAmdOptions, ...stripUndefined(options ?? {}) };
  for (const key of numericKeys) {
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return `option ${key} must be a non-negative finite number, got ${String(value)}`;
    }
  }
  if (merged.thresholdWordCount < 1) return 'option thresholdWordCount must be at least 1';
  if (merged.hints !== undefined) {
    if (typeof merged.hints !== 'object' || merged.hints === null) return 'option hints must be an object of phrase lists';
    for (const [language, phrases] of Object.entries(merged.hints)) {
      if (!Array.isArray(phrases) || phrases.some((p) => typeof p !== 'string')) {
        return `option hints.${language} must be a list of phrases`;
      }
    }
  }
  return merged;
}

function stripUndefined(o: Partial<AmdOptions>): Partial<AmdOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
