import { describe, expect, it } from 'vitest';
import { analyzeFrame, newFrameFeatures } from '../../src/amd/frame-analysis.js';
import { TONAL_MAX_RESIDUAL, ToneTracker, type ToneChange } from '../../src/amd/tone-tracker.js';
import { concat, frames, mix, noise, silence, syllables, tone } from './signals.js';

function track(x: Int16Array): ToneChange[] {
  const t = new ToneTracker();
  const f = newFrameFeatures();
  const out: ToneChange[] = [];
  let at = 0;
  for (const fr of frames(x)) {
    analyzeFrame(fr, 8000, f);
    t.push(f.tonality < TONAL_MAX_RESIDUAL && f.energyDb > -60, f.toneHz, f.energyDb, at, 20, out);
    at += 20;
  }
  t.flush(out);
  return out;
}

describe('tone tracker (beep)', () => {
  it.each([300, 650, 1000, 1400, 1950, 2500])('finds a 400 ms %i Hz beep and its frequency', (hz) => {
    const changes = track(concat(silence(500), tone(hz, 400, -15), silence(500)));
    const confirmed = changes.filter((c) => c.kind === 'confirmed');
    expect(confirmed).toHaveLength(1);
    expect(Math.abs(confirmed[0]!.tone.frequency - hz)).toBeLessThan(hz * 0.01);
    const ended = changes.find((c) => c.kind === 'ended')!;
    expect(ended.tone.startMs).toBe(500);
    expect(ended.tone.endMs).toBe(900);
  });

  it('confirms a beep 140 ms after it starts', () => {
    const confirmed = track(concat(silence(200), tone(1000, 150), silence(200))).find((c) => c.kind === 'confirmed')!;
    expect(confirmed.tone.endMs - confirmed.tone.startMs).toBe(140);
  });

  it('ignores tones shorter than 140 ms (DTMF-like, or a synthetic voice holding a vowel)', () => {
    expect(track(concat(silence(200), tone(1000, 80), silence(200)))).toHaveLength(0);
    expect(track(concat(silence(200), tone(1000, 120), silence(200)))).toHaveLength(0);
  });

  it('finds a beep through line noise 25 dB down', () => {
    const x = mix(concat(silence(300), tone(850, 300, -15), silence(300)), noise(900, -40, 'white', 11));
    expect(track(x).filter((c) => c.kind === 'confirmed')).toHaveLength(1);
  });

  it('steps over lost packets (zeroed frames) inside a beep', () => {
    const x = concat(silence(200), tone(1711, 300, -10), silence(200));
    x.fill(0, 1600 + 160 * 5, 1600 + 160 * 6);
    x.fill(0, 1600 + 160 * 7, 1600 + 160 * 8);
    expect(track(x).filter((c) => c.kind === 'confirmed')).toHaveLength(1);
  });

  it('reports a double beep as two tones', () => {
    const x = concat(silence(200), tone(1000, 200), silence(100), tone(1000, 200), silence(200));
    expect(track(x).filter((c) => c.kind === 'confirmed')).toHaveLength(2);
  });

  it('splits consecutive tones of different pitch', () => {
    const x = concat(silence(100), tone(914, 274), tone(1371, 274), tone(1777, 380), silence(100));
    const freqs = track(x).filter((c) => c.kind === 'confirmed').map((c) => Math.round(c.tone.frequency));
    expect(freqs).toHaveLength(3);
    expect(freqs[0]).toBeCloseTo(914, -1);
    expect(freqs[2]).toBeCloseTo(1777, -1);
  });

  it('finds no tone in noise or speech-like sound', () => {
    expect(track(noise(2000, -30, 'white', 1))).toHaveLength(0);
    expect(track(noise(2000, -30, 'pink', 2))).toHaveLength(0);
    expect(track(syllables(8))).toHaveLength(0);
  });
});
