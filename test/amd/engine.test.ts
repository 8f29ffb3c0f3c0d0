import { describe, expect, it } from 'vitest';
import { AmdEngine, defaultAmdOptions, detectFile, type AmdEvent } from '../../src/amd/index.js';
import { clipped, concat, frames, mix, noise, silence, syllables, tone, wav } from './signals.js';

function run(x: Int16Array, options?: ConstructorParameters<typeof AmdEngine>[0], rate: 8000 | 16000 = 8000): AmdEvent[] {
  const engine = new AmdEngine(options, rate);
  const events: AmdEvent[] = [];
  for (const f of frames(x, rate / 50)) events.push(...engine.pushFrame(f));
  return events;
}

const types = (es: AmdEvent[]) => es.map((e) => e.type);

describe('AMD engine on generated audio', () => {
  it('has the documented defaults', () => {
    expect(defaultAmdOptions).toEqual({
      thresholdWordCount: 9,
      noSpeechTimeoutMs: 5000,
      decisionTimeoutMs: 15000,
      toneTimeoutMs: 20000,
      greetingCompletionTimeoutMs: 2000,
      speechEndThresholdMs: 700,
    });
  });

  it('reports no speech after noSpeechTimeoutMs of silence or line noise', () => {
    expect(run(silence(6000))).toEqual([{ type: 'amd_no_speech_detected', atMs: 5000 }]);
    expect(run(noise(6000, -45, 'pink', 3))).toEqual([{ type: 'amd_no_speech_detected', atMs: 5000 }]);
    expect(run(silence(4000), { noSpeechTimeoutMs: 3000 })).toEqual([{ type: 'amd_no_speech_detected', atMs: 3000 }]);
  });

  it('calls a short greeting followed by waiting a human, soon after the speech ends', () => {
    const events = run(concat(silence(600), syllables(2), silence(3000)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'amd_human_detected', reason: 'short greeting' });
    const speechEnd = 600 + 440;
    expect(events[0]!.atMs - speechEnd).toBeGreaterThan(600);
    expect(events[0]!.atMs - speechEnd).toBeLessThan(900);
  });

  it('calls a long continuous greeting a machine, then a beep, then machine stopped speaking 1 s after it', () => {
    const x = concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(2500));
    const events = run(x);
    expect(types(events)).toEqual(['amd_machine_detected', 'amd_tone_detected', 'amd_machine_stopped_speaking']);
    expect(events[0]).toMatchObject({ reason: 'long greeting' });
    const beepStart = 500 + 20 * 220 + 400;
    expect(events[1]).toMatchObject({ frequency: 1000 });
    expect(events[1]!.atMs).toBeGreaterThanOrEqual(beepStart + 120);
    expect(events[1]!.atMs).toBeLessThan(beepStart + 300);
    expect(events[2]!.atMs).toBe(beepStart + 400 + 1000);
  });

  it('follows thresholdWordCount: the same greeting is human with a high threshold', () => {
    const x = concat(silence(500), syllables(10), silence(3000));
    expect(run(x, { thresholdWordCount: 4 })[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'long greeting' });
    expect(run(x, { thresholdWordCount: 20 })[0]).toMatchObject({ type: 'amd_human_detected' });
  });

  it('waits speechEndThresholdMs after a short answer, longer after a long first sentence', () => {
    const short = run(concat(silence(600), syllables(2), silence(3000)), { speechEndThresholdMs: 400 });
    expect(short[0]).toMatchObject({ type: 'amd_human_detected' });
    expect(short[0]!.atMs - (600 + 440)).toBeLessThan(600);
    // a 2.2 s first sentence followed by a 1.2 s breath and more greeting is not a person waiting
    const greeting = run(concat(silence(500), syllables(8), silence(1200), syllables(3), silence(3000)), { thresholdWordCount: 20 });
    expect(greeting[0]).toMatchObject({ type: 'amd_human_detected' });
    expect(greeting[0]!.atMs).toBeGreaterThan(500 + 8 * 220 + 1200 + 3 * 220);
    // the same sentence, a longer wait, then a short "hello?" again: a person asking, decided soon after it
    const again = run(concat(silence(500), syllables(8), silence(1800), syllables(2), silence(3000)), { thresholdWordCount: 20 });
    const againEnd = 500 + 8 * 220 + 1800 + 2 * 220;
    expect(again[0]).toMatchObject({ type: 'amd_human_detected' });
    expect(again[0]!.atMs - againEnd).toBeGreaterThan(600);
    expect(again[0]!.atMs - againEnd).toBeLessThan(900);
  });

  it('hears a person over talk in the room: the room before them is not the start of their greeting', () => {
    // a TV 22 dB under the person, talking from the start of the call and on after the person's "hello?"
    const room = syllables(36, 220, -38);
    const person = concat(silence(1500), syllables(2, 220, -16), silence(6000));
    const events = run(mix(person, room.subarray(0, person.length)));
    const speechEnd = 1500 + 440;
    expect(events[0]).toMatchObject({ type: 'amd_human_detected', reason: 'short greeting' });
    expect(events[0]!.atMs - speechEnd).toBeGreaterThan(600);
    expect(events[0]!.atMs - speechEnd).toBeLessThan(900);
  });

  it('a person over loud talk in the room (12 dB under them) is decided human soon after speaking, never a machine', () => {
    const room = syllables(40, 260, -28);
    const person = concat(silence(1200), syllables(2, 220, -16), silence(6000));
    const events = run(mix(person, room.subarray(0, person.length)));
    const speechEnd = 1200 + 440;
    expect(events[0]).toMatchObject({ type: 'amd_human_detected', reason: 'short greeting' });
    expect(events[0]!.atMs - speechEnd).toBeLessThan(900);
  });

  it('after a human decision, a beep is reported as a machine after all, and the first decision stands', () => {
    const events = run(concat(silence(500), syllables(2), silence(1500), tone(1000, 400, -12), silence(2500)));
    expect(types(events)).toEqual(['amd_human_detected', 'amd_machine_after_human', 'amd_tone_detected', 'amd_machine_stopped_speaking']);
    expect(events[1]).toMatchObject({ evidence: 'beep' });
    const beepStart = 500 + 440 + 1500;
    expect(events[1]!.atMs).toBeGreaterThanOrEqual(beepStart + 120);
    expect(events[1]!.atMs).toBeLessThan(beepStart + 300);
  });

  it('after a human decision, the greeting going on into a long greeting is reported as a machine after all', () => {
    const events = run(concat(silence(500), syllables(3), silence(1000), syllables(16), silence(3000)));
    expect(types(events).slice(0, 2)).toEqual(['amd_human_detected', 'amd_machine_after_human']);
    expect(events[1]).toMatchObject({ evidence: 'greeting' });
    // a person who answers and later says more is not a greeting going on
    const person = run(concat(silence(500), syllables(2), silence(2500), syllables(3), silence(3000)));
    expect(types(person)).toEqual(['amd_human_detected']);
  });

  it('reports greetingCompletionTimeoutMs of silence after a greeting without a beep', () => {
    const events = run(concat(silence(500), syllables(20), silence(3000)), { greetingCompletionTimeoutMs: 1500 });
    expect(types(events)).toEqual(['amd_machine_detected', 'amd_machine_stopped_speaking']);
    // the last syllable fades out a little before its nominal end
    expect(events[1]!.atMs).toBeGreaterThan(500 + 20 * 220 + 1500 - 100);
    expect(events[1]!.atMs).toBeLessThanOrEqual(500 + 20 * 220 + 1500);
  });

  it('hears a beep on a line driven into clipping (a square wave, not a sinusoid) at its frequency', () => {
    const x = concat(silence(500), syllables(20), silence(400), clipped(tone(600, 400, -6), 18), silence(2500));
    const events = run(x);
    expect(types(events)).toEqual(['amd_machine_detected', 'amd_tone_detected', 'amd_machine_stopped_speaking']);
    const hz = (events[1] as { frequency: number }).frequency;
    expect(Math.abs(hz - 600)).toBeLessThan(6);
  });

  it('reports both beeps of a double beep', () => {
    const x = concat(silence(500), syllables(20), tone(800, 250, -12), silence(200), tone(1600, 250, -12), silence(1500));
    const tones = run(x).filter((e) => e.type === 'amd_tone_detected');
    expect(tones.map((e) => (e as { frequency: number }).frequency)).toEqual([800, 1600]);
  });

  it('decides machine on a beep heard before any decision', () => {
    const events = run(concat(silence(500), syllables(3), silence(200), tone(1400, 300, -12), silence(1500)));
    expect(events[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'beep' });
    expect(events[1]).toMatchObject({ type: 'amd_tone_detected', frequency: 1400 });
  });

  it('stops listening for tones after toneTimeoutMs', () => {
    const x = concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(1500));
    expect(types(run(x, { toneTimeoutMs: 4000 }))).not.toContain('amd_tone_detected');
  });

  it('recognises fax CNG, CED and SIT', () => {
    const cng = concat(silence(400), tone(1100, 500, -12), silence(3000), tone(1100, 500, -12), silence(500));
    expect(run(cng)[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'fax' });
    expect(run(concat(silence(400), tone(2100, 3000, -12)))[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'fax', atMs: 1000 });
    const sit = concat(silence(300), tone(985.2, 274, -12), tone(1428.5, 274, -12), tone(1776.7, 380, -12), silence(300), syllables(12));
    const events = run(sit);
    expect(events[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'sit' });
    expect(types(events)).not.toContain('amd_tone_detected');
  });

  it('gives up after decisionTimeoutMs when nothing can be decided', () => {
    const x = concat(silence(500), syllables(2), silence(300), syllables(2), silence(300), syllables(2));
    const events = run(x, { thresholdWordCount: 50, decisionTimeoutMs: 1500 });
    expect(events).toEqual([{ type: 'amd_decision_timeout', atMs: 1500 }]);
  });

  it('advances the audio clock over gaps', () => {
    const engine = new AmdEngine();
    expect(engine.pushGap(4990)).toEqual([]);
    expect(engine.pushGap(10)).toEqual([{ type: 'amd_no_speech_detected', atMs: 5000 }]);
    expect(engine.offsetMs).toBe(5000);
    expect(engine.decision).toEqual({ type: 'amd_no_speech_detected', atMs: 5000 });
  });

  it('buffers frames of any length', () => {
    const x = concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(2500));
    const engine = new AmdEngine();
    const events: AmdEvent[] = [];
    for (let i = 0; i < x.length; i += 97) events.push(...engine.pushFrame(x.subarray(i, i + 97)));
    expect(events).toEqual(run(x));
  });

  it('hears whole 20 ms packets, pieces between them and a packet buffer the sender reuses as one stream', () => {
    const x = concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(2500));
    const engine = new AmdEngine();
    const events: AmdEvent[] = [];
    // a whole packet lands on a frame boundary (handed on as it is) or inside a part-filled frame (buffered)
    const sizes = [160, 97, 63, 160, 160, 50, 160, 110];
    const packet = new Int16Array(160);
    for (let i = 0, k = 0; i < x.length; k++) {
      const n = Math.min(sizes[k % sizes.length]!, x.length - i);
      if (n === 160) {
        packet.set(x.subarray(i, i + 160));
        events.push(...engine.pushFrame(packet));
        packet.fill(12345);
      } else {
        events.push(...engine.pushFrame(x.subarray(i, i + n)));
      }
      i += n;
    }
    expect(events).toEqual(run(x));
  });

  it('handles 16 kHz audio like 8 kHz audio', () => {
    const x16 = concat(silence(500, 16000), syllables(20, 220, -18, 16000), silence(400, 16000), tone(1000, 400, -12, 16000), silence(2500, 16000));
    const events = run(x16, undefined, 16000);
    expect(types(events)).toEqual(['amd_machine_detected', 'amd_tone_detected', 'amd_machine_stopped_speaking']);
    expect(events[1]).toMatchObject({ frequency: 1000 });
  });

  it('emits amd_stopped once and nothing after it', () => {
    const engine = new AmdEngine();
    engine.pushFrame(silence(20));
    expect(engine.stop()).toEqual([{ type: 'amd_stopped', atMs: 20 }]);
    expect(engine.stop()).toEqual([]);
    expect(engine.pushGap(10_000)).toEqual([]);
  });
});

describe('AMD engine on bad input', () => {
  it('reports float data (NaN) as amd_error instead of throwing', () => {
    const engine = new AmdEngine();
    const events = engine.pushFrame(new Float32Array(160).fill(NaN) as unknown as Int16Array);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'amd_error' });
    expect((events[0] as { error: string }).error).toMatch(/Int16Array.*Float32Array/);
  });

  it('reports a wrong sample rate or bad options once', () => {
    const engine = new AmdEngine({}, 44100 as 8000);
    expect(engine.pushFrame(silence(20))[0]).toMatchObject({ type: 'amd_error', error: expect.stringMatching(/44100/) });
    expect(engine.pushFrame(silence(20))).toEqual([]);
    const bad = new AmdEngine({ noSpeechTimeoutMs: Number.NaN });
    expect(bad.pushGap(20)[0]).toMatchObject({ type: 'amd_error', error: expect.stringMatching(/noSpeechTimeoutMs/) });
    expect(new AmdEngine().pushGap(-5)[0]).toMatchObject({ type: 'amd_error' });
  });

  it('detectFile reports unusable WAVs as amd_error', () => {
    const err = (b: Buffer) => detectFile(b)[0] as { type: string; error: string };
    expect(err(Buffer.alloc(0))).toMatchObject({ type: 'amd_error', error: 'empty file' });
    expect(err(Buffer.from('hello world, not audio'))).toMatchObject({ type: 'amd_error', error: 'not a RIFF/WAVE file' });
    expect(err(wav(silence(100), 8000, { format: 3 })).error).toMatch(/IEEE float/);
    expect(err(wav(silence(100), 8000, { format: 7 })).error).toMatch(/u-law/);
    expect(err(wav(silence(100), 44100)).error).toMatch(/44100 Hz/);
    expect(err(wav(silence(100), 8000, { channels: 2 })).error).toMatch(/2 channels/);
    expect(err(wav(new Int16Array(0))).error).toMatch(/no audio samples/);
  });

  it('detectFile runs a whole file and ends with amd_stopped', () => {
    const events = detectFile(wav(concat(silence(600), syllables(2), silence(3000))));
    expect(types(events)).toEqual(['amd_human_detected', 'amd_stopped']);
    expect(events[1]!.atMs).toBe(600 + 440 + 3000);
  });
});
