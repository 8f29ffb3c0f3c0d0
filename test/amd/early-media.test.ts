import { describe, expect, it } from 'vitest';
import { EarlyMediaListener, type EarlyMediaSignal } from '../../src/amd/early-media.js';
import { concat, frames, mix, noise, silence, syllables, tone } from './signals.js';

const sitTones = () => concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), tone(1776.7, 380, -14));
const repeat = (n: number, part: () => Int16Array) => concat(...Array.from({ length: n }, part));
/** North American ringback: 440 + 480 Hz, 2 s on, 4 s off. */
const ringback = (cycles: number) => repeat(cycles, () => concat(mix(tone(440, 2000, -19), tone(480, 2000, -19)), silence(4000)));
/** UK ringback: 400 + 450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off. */
const ukRingback = (cycles: number) => {
  const burst = () => mix(tone(400, 400, -19), tone(450, 400, -19));
  return repeat(cycles, () => concat(burst(), silence(200), burst(), silence(2000)));
};
/** European ringback: 425 Hz, 1 s on, 4 s off. */
const euRingback = (cycles: number) => repeat(cycles, () => concat(tone(425, 1000, -16), silence(4000)));
/** A recorded announcement read out: phrases of syllables with pauses between them. */
const announcement = () => concat(syllables(9), silence(350), syllables(7), silence(450), syllables(10), silence(300), syllables(8), silence(1200));
/** Music on hold: chords held half a second each, one after the other with no gap. */
const chords = (ms: number) => {
  let chord = 0;
  return repeat(Math.round(ms / 500), () => {
    const root = [262, 294, 330, 349][(chord++) % 4]!;
    return mix(mix(tone(root, 500, -22), tone(root * 1.26, 500, -24)), tone(root * 1.5, 500, -24));
  });
};

function listen(audio: Int16Array): EarlyMediaSignal[] {
  const listener = new EarlyMediaListener();
  const heard: EarlyMediaSignal[] = [];
  for (const frame of frames(audio)) {
    const signal = listener.pushFrame(frame);
    if (signal !== undefined) heard.push(signal);
  }
  return heard;
}

describe('early media call progress', () => {
  it('hears SIT after ringback, once, within a second of the tones starting', () => {
    const sitStartMs = 6000 + 500;
    const heard = listen(concat(ringback(1), silence(500), sitTones(), silence(2000), sitTones(), silence(1000)));
    expect(heard).toHaveLength(1);
    expect(heard[0]!.cause).toBe('sit');
    expect(heard[0]!.atMs).toBeGreaterThan(sitStartMs + 548);
    expect(heard[0]!.atMs).toBeLessThan(sitStartMs + 1500);
  });

  it('keeps waiting through ringback, silence and a single steady tone', () => {
    expect(listen(concat(ringback(3), silence(3000)))).toEqual([]);
    expect(listen(concat(silence(500), tone(1000, 600, -14), silence(2000)))).toEqual([]);
    // Two SIT tones without the third are not an intercept.
    expect(listen(concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), silence(2000)))).toEqual([]);
  });

  it('hears a recorded announcement without SIT, once, within a few seconds of its start', () => {
    const heard = listen(concat(silence(300), announcement(), announcement()));
    expect(heard).toHaveLength(1);
    expect(heard[0]!.cause).toBe('announcement');
    // Fourteen syllables in: about three seconds into the talk, well before the announcement is over.
    expect(heard[0]!.atMs).toBeGreaterThan(2500);
    expect(heard[0]!.atMs).toBeLessThan(5000);
  });

  it('hears an announcement over a noisy line', () => {
    const audio = concat(silence(300), announcement(), announcement());
    expect(listen(mix(audio, noise(audio.length / 8, -50, 'pink', 7))).map((s) => s.cause)).toEqual(['announcement']);
  });

  it('never takes ringback of the usual cadences, music or silence for an announcement', () => {
    expect(listen(ringback(4))).toEqual([]);
    expect(listen(ukRingback(6))).toEqual([]);
    expect(listen(euRingback(4))).toEqual([]);
    expect(listen(chords(20_000))).toEqual([]);
    expect(listen(silence(20_000))).toEqual([]);
    expect(listen(noise(20_000, -45, 'pink', 3))).toEqual([]);
  });

  it('stands down for the rest of the call once ringback or music was heard (a "please hold" over music, ringback then talk)', () => {
    // A voice over music on hold: the music fills every pause.
    expect(listen(mix(repeat(3, announcement), chords(22_000)))).toEqual([]);
    // Ringback, then a voice: the carrier may be connecting the call (a PBX's greeting), so it is not failed.
    expect(listen(concat(ringback(1), announcement(), announcement()))).toEqual([]);
    expect(listen(concat(euRingback(1), announcement(), announcement()))).toEqual([]);
  });
});
