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
