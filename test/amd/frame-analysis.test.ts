import { describe, expect, it } from 'vitest';
import { analyzeFrame, evenCrossingsHz, newFrameFeatures, SILENCE_DB } from '../../src/amd/frame-analysis.js';
import { clipped, noise, silence, syllables, tone } from './signals.js';

describe('frame analysis', () => {
  it.each([300, 440, 1000, 1400, 2100, 2500])('measures a %i Hz tone as tonal at its frequency', (hz) => {
    const f = analyzeFrame(tone(hz, 20, -12), 8000, newFrameFeatures());
    expect(f.toneHz).toBeGreaterThan(hz * 0.99);
    expect(f.toneHz).toBeLessThan(hz * 1.01);
    expect(f.tonality).toBeLessThan(0.01);
    expect(f.energyDb).toBeGreaterThan(-13);
    expect(f.energyDb).toBeLessThan(-11);
  });

  it('finds white and pink noise not tonal', () => {
    expect(analyzeFrame(noise(20, -30, 'white', 3), 8000, newFrameFeatures()).tonality).toBeGreaterThan(0.5);
    expect(analyzeFrame(noise(20, -30, 'pink', 4), 8000, newFrameFeatures()).tonality).toBeGreaterThan(0.1);
  });

  it('reports digital silence as the silence level', () => {
    expect(analyzeFrame(silence(20), 8000, newFrameFeatures()).energyDb).toBe(SILENCE_DB);
  });

  it.each([440, 600, 1000, 1700])('times a %i Hz tone clipped 18 dB over full scale by its crossings, where no sinusoid fits', (hz) => {
    const x = clipped(tone(hz, 20, -6), 18);
    expect(analyzeFrame(x, 8000, newFrameFeatures()).tonality).toBeGreaterThan(0.08);
    const found = evenCrossingsHz(x, 8000);
    expect(found).toBeGreaterThan(hz * 0.99);
    expect(found).toBeLessThan(hz * 1.01);
  });

  it('finds even crossings in loud speech only at its pitch, below any beep, and none in noise', () => {
    const voice = clipped(syllables(3, 220, -6), 6);
    for (let i = 0; i + 160 <= voice.length; i += 160) expect(evenCrossingsHz(voice.subarray(i, i + 160), 8000)).toBeLessThan(280);
    expect(evenCrossingsHz(noise(20, -6, 'white', 5), 8000)).toBe(0);
  });
});
