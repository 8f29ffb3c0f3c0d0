// Signal helpers for media tests: generate tones and measure what was decoded.

export function tone(frequency: number, samples: number, amplitude = 12000, startSample = 0): Int16Array {
  const pcm = new Int16Array(samples);
  for (let i = 0; i < samples; i++) pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (startSample + i)) / 8000));
  return pcm;
}

export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return pcm.length === 0 ? 0 : Math.sqrt(sum / pcm.length);
}

/** Frequency estimated from zero crossings (two per period). */
export function zeroCrossingFrequency(pcm: Int16Array, sampleRate = 8000): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) {
    const a = pcm[i - 1] as number;
    const b = pcm[i] as number;
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) crossings++;
  }
  return (crossings / 2) * (sampleRate / pcm.length);
}

export function concat(frames: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
