import { describe, expect, it } from 'vitest';
import { EarlyMediaListener } from '../../src/amd/early-media.js';
import { concat, frames, mix, silence, tone } from './signals.js';

const sitTones = () => concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), tone(1776.7, 380, -14));
/** North American ringback: 440 + 480 Hz, 2 s on, 4 s off. */
const ringback = (cycles: number) => concat(...Array.from({ length: cycles }, () => concat(mix(tone(440, 2000, -19), tone(480, 2000, -19)), silence(4000))));

function listen(audio: Int16Array): number[] {
  const listener = new EarlyMediaListener();
  const heard: number[] = [];
  for (const frame of frames(audio)) {
    const at = listener.pushFrame(frame);
    if (at !== undefined) heard.push(at);
  }
  return heard;
}

describe('early media call progress', () => {
  it('hears SIT after ringback, once, within a second of the tones starting', () => {
    const sitStartMs = 6000 + 500;
    const heard = listen(concat(ringback(1), silence(500), sitTones(), silence(2000), sitTones(), silence(1000)));
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeGreaterThan(sitStartMs + 548);
    expect(heard[0]).toBeLessThan(sitStartMs + 1500);
  });

  it('keeps waiting through ringback, silence and a single steady tone', () => {
    expect(listen(concat(ringback(3), silence(3000)))).toEqual([]);
    expect(listen(concat(silence(500), tone(1000, 600, -14), silence(2000)))).toEqual([]);
    // Two SIT tones without the third are not an intercept.
    expect(listen(concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), silence(2000)))).toEqual([]);
  });
});
