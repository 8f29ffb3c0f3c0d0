import { describe, expect, it } from 'vitest';
import { analyzeFrame, newFrameFeatures } from '../../src/amd/frame-analysis.js';
import { SpeechDetector } from '../../src/amd/speech-detector.js';
import { concat, frames, noise, silence, syllables } from './signals.js';

function voicedFrames(x: Int16Array): boolean[] {
  const d = new SpeechDetector();
  const f = newFrameFeatures();
  return [...frames(x)].map((fr) => d.push(analyzeFrame(fr, 8000, f).energyDb));
}

describe('speech detector', () => {
  it('hears no speech in digital silence', () => {
    expect(voicedFrames(silence(2000)).some(Boolean)).toBe(false);
  });

  it.each(['white', 'pink'] as const)('adapts to steady %s line noise and stays silent', (color) => {
    const v = voicedFrames(noise(4000, -42, color, 7)).slice(10);
    // the floor is learnt within the first frames; after that noise peaks pass only as rare lone frames
    expect(v.filter(Boolean).length).toBeLessThan(v.length / 100);
    expect(v.join(',')).not.toContain('true,true');
  });

  it('hears speech over line noise', () => {
    const x = concat(noise(1000, -45, 'pink', 8), syllables(4, 220, -20), noise(1000, -45, 'pink', 9));
    const v = voicedFrames(x);
    const during = v.slice(50, 50 + 44).filter(Boolean).length;
    expect(during).toBeGreaterThan(25);
    expect(v.slice(0, 50).filter(Boolean).length).toBe(0);
  });

  it('hears a quiet speaker on a quiet line', () => {
    const v = voicedFrames(concat(silence(500), syllables(3, 220, -40), silence(500)));
    expect(v.filter(Boolean).length).toBeGreaterThan(15);
  });

  it('reports the noise floor it learnt', () => {
    const d = new SpeechDetector();
    const f = newFrameFeatures();
    for (const fr of frames(noise(2000, -50, 'white', 2))) d.push(analyzeFrame(fr, 8000, f).energyDb);
    expect(d.noiseFloorDb).toBeGreaterThan(-56);
    expect(d.noiseFloorDb).toBeLessThan(-49);
  });
});
