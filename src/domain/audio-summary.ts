/**
 * What outdial keeps of a call's audio for the AMD picture (GET /api/v1/calls/:id/amd.svg, docs/operations.md):
 * the level over time, where speech and tones were heard. Bounded: at most the first minute of AMD listening,
 * in 100 ms buckets, whatever the call's length.
 */
export type AudioSummary = {
  /** Width of one level bucket, ms. */
  bucketMs: number;
  /** Loudest 20 ms frame per bucket, dBFS rounded to 1 dB (-120 for digital silence or lost packets). */
  levelsDb: number[];
  /** Where voice was heard: [startMs, endMs] from answer. */
  speech: [number, number][];
  /** Steady tones (beeps, fax, SIT) from answer. */
  tones: { startMs: number; endMs: number; frequency: number }[];
  /** Audio summarized, ms from answer. */
  durationMs: number;
  /** The audio went on past what is kept. */
  truncated: boolean;
};
