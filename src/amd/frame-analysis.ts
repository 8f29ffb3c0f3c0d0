/** Per-frame measurements every detector shares, computed in one pass over the samples. */
export interface FrameFeatures {
  /** Mean power in dB relative to a full-scale square wave (a full-scale sine is -3 dBFS). */
  energyDb: number;
  /** Residual of the best pure-sinusoid predictor relative to the signal: ~0 for a tone, ~1 for white noise. */
  tonality: number;
  /** Frequency of that best-fitting sinusoid in Hz. */
  toneHz: number;
}

/** Level reported for digital silence (all-zero frames, lost packets). */
export const SILENCE_DB = -120;
const FULL_SCALE_SQ = 32768 * 32768;

export function newFrameFeatures(): FrameFeatures {
  return { energyDb: SILENCE_DB, tonality: 1, toneHz: 0 };
}

/**
 * A sinusoid obeys x[n-1] + x[n+1] = 2cos(w)·x[n]; the least-squares fit of that one coefficient gives the
 * frequency and its residual says how tonal the frame is, at three multiply-adds per sample (no FFT).
 */
export function analyzeFrame(x: Int16Array, sampleRate: number, out: FrameFeatures): FrameFeatures {
  const n = x.length;
  if (n < 3) {
    out.energyDb = SILENCE_DB;
    out.tonality = 1;
    out.toneHz = 0;
    return out;
  }
  let sxx = 0;
  let syx = 0;
  let syy = 0;
  let prev = x[0]!;
  let cur = x[1]!;
  for (let i = 2; i < n; i++) {
    const next = x[i]!;
    const y = prev + next;
    sxx += cur * cur;
    syx += y * cur;
    syy += y * y;
    prev = cur;
    cur = next;
  }
  const first = x[0]!;
  const last = x[n - 1]!;
  const power = (sxx + first * first + last * last) / n;
  if (power <= 0) {
    out.energyDb = SILENCE_DB;
    out.tonality = 1;
    out.toneHz = 0;
    return out;
  }
  out.energyDb = 10 * Math.log10(power / FULL_SCALE_SQ);
  if (sxx <= 0) {
    out.tonality = 1;
    out.toneHz = 0;
    return out;
  }
  const residual = syy - (syx * syx) / sxx;
  out.tonality = residual > 0 ? residual / (2 * sxx) : 0;
  let c = syx / (2 * sxx);
  if (c > 1) c = 1;
  else if (c < -1) c = -1;
  out.toneHz = (Math.acos(c) * sampleRate) / (2 * Math.PI);
  return out;
}

/**
 * A tone driven into clipping is a square-ish wave: one sinusoid no longer fits it, but its zero crossings
 * stay where the sinusoid's were, evenly spaced. Returns the frequency when a frame's crossings are evenly
 * spaced (within CROSSING_SPREAD samples of their mean spacing), else 0.
 */
export function evenCrossingsHz(x: Int16Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  let prevPos = -1;
  let minGap = Infinity;
  let maxGap = 0;
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1]!;
    const b = x[i]!;
    if (a < 0 === b < 0) continue;
    const pos = i - 1 + a / (a - b);
    if (prevPos >= 0) {
      const gap = pos - prevPos;
      if (gap < minGap) minGap = gap;
      if (gap > maxGap) maxGap = gap;
    } else first = pos;
    prevPos = pos;
    last = pos;
    count++;
  }
  if (count < MIN_CROSSINGS) return 0;
  const mean = (last - first) / (count - 1);
  if (maxGap - mean > CROSSING_SPREAD || mean - minGap > CROSSING_SPREAD) return 0;
  return sampleRate / (2 * mean);
}
const MIN_CROSSINGS = 6;
const CROSSING_SPREAD = 0.75;
