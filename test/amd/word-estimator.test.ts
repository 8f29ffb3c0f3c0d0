import { describe, expect, it } from 'vitest';
import { analyzeFrame, newFrameFeatures } from '../../src/amd/frame-analysis.js';
import { SpeechDetector } from '../../src/amd/speech-detector.js';
import { WordEstimator } from '../../src/amd/word-estimator.js';
import { concat, frames, noise, silence, syllables } from './signals.js';

function estimate(x: Int16Array): WordEstimator {
  const d = new SpeechDetector();
  const w = new WordEstimator();
  const f = newFrameFeatures();
  for (const fr of frames(x)) {
    analyzeFrame(fr, 8000, f);
    w.push(f.energyDb, d.push(f.energyDb), d.thresholdDb);
  }
  return w;
}

describe('word estimator', () => {
  it.each([1, 3, 7, 14])('counts %i syllables in a continuous voiced stretch', (n) => {
    expect(estimate(concat(silence(300), syllables(n), silence(300))).syllables).toBe(n);
  });

  it('turns syllables into words at 1.5 syllables per word', () => {
    const w = estimate(concat(silence(300), syllables(15), silence(300)));
    expect(w.words).toBe(10);
  });

  it('does not split a syllable at a lost packet', () => {
    const x = concat(silence(300), syllables(6), silence(300));
    for (let f = 0; f < 6; f++) x.fill(0, 2400 + f * 1760 + 800, 2400 + f * 1760 + 960);
    expect(estimate(x).syllables).toBe(6);
  });

  it('counts no words in line noise', () => {
    expect(estimate(noise(3000, -40, 'pink', 5)).syllables).toBe(0);
  });

  it('counts syllables of separate utterances', () => {
    expect(estimate(concat(silence(200), syllables(2), silence(600), syllables(3), silence(400))).syllables).toBe(5);
  });
});
