import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePcma, decodePcmu, encodePcma, encodePcmu, PCMA_TO_PCMU, PCMU_TO_PCMA } from '../../src/media/index.js';
import { tone, zeroCrossingFrequency } from './audio.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-g711-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run sox (the reference G.711 implementation on this machine) on raw bytes. */
function sox(input: Buffer, from: string[], to: string[]): Buffer {
  const inPath = join(dir, 'in.raw');
  const outPath = join(dir, 'out.raw');
  writeFileSync(inPath, input);
  const r = spawnSync('sox', ['-V1', '-D', ...from, inPath, ...to, outPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
  return readFileSync(outPath);
}

const allCodes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const rawPcm = ['-t', 'raw', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', '-L'];

describe('G.711', () => {
  it('decodes the µ-law and A-law digital milliwatt (G.711 1 kHz test sequence)', () => {
    const mu = decodePcmu(Buffer.from([0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e]));
    expect(Array.from(mu)).toEqual([-8828, -20860, -20860, -8828, 8828, 20860, 20860, 8828]);
    const a = decodePcma(Buffer.from([0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4]));
    expect(Array.from(a)).toEqual([-8960, -20992, -20992, -8960, 8960, 20992, 20992, 8960]);
  });

  it('maps silence and full scale to the standard codes', () => {
    expect(Array.from(encodePcmu(Int16Array.from([0, 32767, -32768])))).toEqual([0xff, 0x80, 0x00]);
    expect(Array.from(encodePcma(Int16Array.from([0, 32767, -32768])))).toEqual([0xd5, 0xaa, 0x2a]);
    expect(Array.from(decodePcmu(Buffer.from([0xff, 0x7f, 0x80, 0x00])))).toEqual([0, 0, 32124, -32124]);
    expect(Array.from(decodePcma(Buffer.from([0xd5, 0x55, 0xaa, 0x2a])))).toEqual([8, -8, 32256, -32256]);
  });

  it('decodes every code exactly as sox does', () => {
    const fromCodes = (enc: string) => sox(allCodes, ['-t', 'raw', '-r', '8000', '-c', '1', '-e', enc, '-b', '8'], rawPcm);
    const soxMu = fromCodes('u-law');
    const soxA = fromCodes('a-law');
    const mu = decodePcmu(allCodes);
    const a = decodePcma(allCodes);
    for (let code = 0; code < 256; code++) {
      expect(mu[code], `µ-law code ${code}`).toBe(soxMu.readInt16LE(code * 2));
      expect(a[code], `A-law code ${code}`).toBe(soxA.readInt16LE(code * 2));
    }
  });

  it('encodes like sox wherever sox does not round (µ-law 14-bit, A-law 13-bit aligned samples)', () => {
    const pcm = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) pcm[i] = (i << 16) >> 16;
    const raw = Buffer.from(pcm.buffer);
    const soxMu = sox(raw, rawPcm, ['-t', 'raw', '-e', 'u-law', '-b', '8']);
    const soxA = sox(raw, rawPcm, ['-t', 'raw', '-e', 'a-law', '-b', '8']);
    const mu = encodePcmu(pcm);
    const a = encodePcma(pcm);
    let compared = 0;
    for (let i = 0; i < 65536; i++) {
      const s = pcm[i] as number;
      // sox rounds to the nearest quantizer input before companding, G.711 truncates; they agree on these.
      if (s % 4 === 0 && s < 32764) {
        expect(mu[i], `µ-law of ${s}`).toBe(soxMu[i]);
        compared++;
      }
      if (s % 8 === 0 && s < 32760) expect(a[i], `A-law of ${s}`).toBe(soxA[i]);
    }
    expect(compared).toBe(16383);
  });

  it('round-trips every code through linear PCM', () => {
    const mu = encodePcmu(decodePcmu(allCodes));
    const a = encodePcma(decodePcma(allCodes));
    for (let code = 0; code < 256; code++) {
      // 0x7f is µ-law's negative zero; it decodes to 0, whose code is 0xff.
      expect(mu[code]).toBe(code === 0x7f ? 0xff : code);
      expect(a[code]).toBe(code);
    }
  });

  it('keeps a tone through encode/decode with G.711 signal-to-quantization-noise (> 33 dB)', () => {
    const pcm = tone(1000, 8000, 10000);
    for (const [enc, dec] of [
      [encodePcmu, decodePcmu],
      [encodePcma, decodePcma],
    ] as const) {
      const out = dec(enc(pcm));
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < pcm.length; i++) {
        signal += (pcm[i] as number) ** 2;
        noise += ((out[i] as number) - (pcm[i] as number)) ** 2;
      }
      expect(10 * Math.log10(signal / noise)).toBeGreaterThan(33);
      expect(zeroCrossingFrequency(out)).toBeCloseTo(1000, -1);
    }
  });

  it('transcodes µ-law ↔ A-law to the code of the same level', () => {
    for (let code = 0; code < 256; code++) {
      const linear = decodePcmu(Buffer.from([code]))[0] as number;
      const viaA = decodePcma(Buffer.from([PCMU_TO_PCMA[code] as number]))[0] as number;
      expect(Math.abs(viaA - linear)).toBeLessThanOrEqual(Math.max(16, Math.abs(linear) * 0.07));
      const aLinear = decodePcma(Buffer.from([code]))[0] as number;
      const viaU = decodePcmu(Buffer.from([PCMA_TO_PCMU[code] as number]))[0] as number;
      expect(Math.abs(viaU - aLinear)).toBeLessThanOrEqual(Math.max(16, Math.abs(aLinear) * 0.07));
    }
  });
});
