/** Generated test signals: tones, silence, noise and a speech-like voiced sound, as 16-bit PCM. */
import { prng } from '../fixtures/amd/specs.js';

export const RATE = 8000;

function samplesFor(ms: number, rate = RATE): number {
  return Math.round((ms * rate) / 1000);
}

function toPcm(x: Float64Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

export function dbfsToAmp(dbfs: number): number {
  return 32768 * 10 ** (dbfs / 20);
}

export function tone(hz: number, ms: number, dbfs = -10, rate = RATE): Int16Array {
  const n = samplesFor(ms, rate);
  const a = dbfsToAmp(dbfs) * Math.SQRT2;
  return toPcm(Float64Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * hz * i) / rate)));
}

export function silence(ms: number, rate = RATE): Int16Array {
  return new Int16Array(samplesFor(ms, rate));
}

export function noise(ms: number, dbfs: number, color: 'white' | 'pink' = 'white', seed = 1): Int16Array {
  const rnd = prng(seed);
  const n = samplesFor(ms);
  const x = new Float64Array(n);
  let b0 = 0, b1 = 0, b2 = 0, sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rnd() * 2 - 1;
    let v = w;
    if (color === 'pink') {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      v = b0 + b1 + b2 + w * 0.1848;
    }
    x[i] = v;
    sum += v * v;
  }
  const g = dbfsToAmp(dbfs) / Math.sqrt(sum / Math.max(1, n));
  return toPcm(x.map((v) => v * g));
}

/**
 * A voiced, speech-like sound: a 140 Hz harmonic complex (up to 3.4 kHz, falling 6 dB/octave) whose level
 * rises and falls once per syllable, with short dips between syllables.
 */
export function syllables(count: number, syllableMs = 220, dbfs = -18, rate = RATE): Int16Array {
  const n = samplesFor(count * syllableMs, rate);
  const per = samplesFor(syllableMs, rate);
  const a = dbfsToAmp(dbfs) * 2;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phase = (i % per) / per;
    const env = Math.sin(Math.PI * phase) ** 2;
    let v = 0;
    for (let h = 1; h * 140 < 3400; h++) v += Math.sin((2 * Math.PI * 140 * h * i) / rate + h) / h;
    x[i] = a * env * v * 0.5;
  }
  return toPcm(x);
}

/** A hot line: the signal amplified by gainDb and clipped at full scale. */
export function clipped(x: Int16Array, gainDb: number): Int16Array {
  const g = 10 ** (gainDb / 20);
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * g))));
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function mix(a: Int16Array, b: Int16Array): Int16Array {
  return Int16Array.from(a, (v, i) => Math.max(-32768, Math.min(32767, v + (b[i] ?? 0))));
}

/** 20 ms frames of a signal. */
export function* frames(x: Int16Array, size = 160): Generator<Int16Array> {
  for (let i = 0; i + size <= x.length; i += size) yield x.subarray(i, i + size);
}

export function wav(samples: Int16Array, rate = RATE, opts: { format?: number; bits?: number; channels?: number } = {}): Buffer {
  const bits = opts.bits ?? 16;
  const channels = opts.channels ?? 1;
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i]!, i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(opts.format ?? 1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE((rate * bits * channels) / 8, 28);
  h.writeUInt16LE((bits * channels) / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
