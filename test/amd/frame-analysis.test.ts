import { describe, expect, it } from 'vitest';
import { analyzeFrame, newFrameFeatures, SILENCE_DB } from '../../src/amd/frame-analysis.js';
import { noise, silence, tone } from './signals.js';

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
});
