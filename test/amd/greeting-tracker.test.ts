import { describe, expect, it } from 'vitest';
import { GreetingTracker } from '../../src/amd/greeting-tracker.js';

function feed(pattern: string): GreetingTracker {
  const g = new GreetingTracker();
  [...pattern].forEach((c, i) => g.push(c === 'v', i * 20, 20));
  return g;
}

describe('greeting tracker', () => {
  it('needs three voiced frames for speech onset, so a click is not speech', () => {
    expect(feed('....v.....v....').started).toBe(false);
    const g = feed('....vv.v.......');
    expect(g.started).toBe(true);
    expect(g.onsetMs).toBe(80);
  });

  it('measures silence since the last voice', () => {
    const g = feed('..vvvvv.....');
    expect(g.lastVoiceEndMs).toBe(140);
    expect(g.silenceMs(240)).toBe(100);
  });

  it('tracks the current utterance, restarting after a real pause', () => {
    const g = feed(`vvvvvvvvvv${'.'.repeat(30)}vvvvv`);
    expect(g.utteranceMs).toBe(100);
    expect(g.voicedMs).toBe(300);
    const joined = feed(`vvvvvvvvvv${'.'.repeat(10)}vvvvv`);
    expect(joined.utteranceMs).toBe(500);
  });
});
