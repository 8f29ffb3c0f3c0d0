// The receive timeline on its own, driven with explicit times so watchdog and reorder deadlines are exact.
import { describe, expect, it } from 'vitest';
import { encodePcmu, RtpReceiveStream, type GapCause } from '../../src/media/index.js';
import { tone } from './audio.js';

function stream(options = {}) {
  const out: { frames: Int16Array[]; gaps: { ms: number; cause: GapCause }[]; digits: string[] } = { frames: [], gaps: [], digits: [] };
  const s = new RtpReceiveStream(
    { frame: (f) => out.frames.push(f), gap: (ms, cause) => out.gaps.push({ ms, cause }), dtmf: (d) => out.digits.push(d.digit) },
    options,
  );
  const payload = encodePcmu(tone(1000, 160));
  const push = (seq: number, ts: number, now: number, pt = 0, body: Uint8Array = payload) => s.receive(0xaaaa, seq, ts, pt, body, 0, body.length, now);
  const timeline = () => out.frames.length * 20 + out.gaps.reduce((n, g) => n + g.ms, 0);
  return { s, out, push, timeline };
}

describe('RtpReceiveStream timeline', () => {
  it('sequenceTimeline: timestamps that jump while the sequence runs on make no gap; a lost packet is a gap of its length', () => {
    const { s, out, push, timeline } = stream({ sequenceTimeline: true });
    // A relaying sender stamps by its own clock: a packet sent a tick late carries a timestamp 20 ms ahead.
    let ts = 0;
    for (let i = 0; i < 10; i++) push(i, (ts += i % 3 === 0 ? 320 : 160), i * 20);
    expect(out.gaps).toEqual([]);
    expect(timeline()).toBe(200);
    // Packet 10 never comes: the reorder window gives up on it, and its 20 ms become a declared gap.
    for (let i = 11; i < 16; i++) push(i, (ts += 160), i * 20);
    s.tick(400);
    expect(s.counters.packetsLost).toBe(1);
    expect(out.gaps).toEqual([{ ms: 20, cause: 'loss' }]);
    expect(timeline()).toBe(320);
  });

  it('without sequenceTimeline the same timestamp jumps are gaps (the far end paused)', () => {
    const { out, push, timeline } = stream();
    let ts = 0;
    for (let i = 0; i < 10; i++) push(i, (ts += i % 3 === 0 ? 320 : 160), i * 20);
    expect(timeline()).toBeGreaterThan(200);
    expect(out.gaps.length).toBeGreaterThan(0);
  });

  it('follows wall time through a silence-suppressed pause: watchdog gaps, then the remainder from the timestamp', () => {
    const { s, out, push, timeline } = stream();
    for (let i = 0; i < 10; i++) push(i, i * 160, i * 20);
    // The sender pauses 1 s (DTX) and resumes with the timestamp 1 s further on.
    for (let t = 200; t <= 1180; t += 20) s.tick(t);
    expect(out.gaps.every((g) => g.cause === 'watchdog')).toBe(true);
    push(10, 10 * 160 + 8000, 1180);
    for (let i = 11; i < 20; i++) push(i, i * 160 + 8000, 1180 + (i - 10) * 20);
    // 20 packets of audio and 1 s of silence: 1.4 s of timeline, give or take one frame of watchdog lead.
    expect(timeline()).toBeGreaterThanOrEqual(1380);
    expect(timeline()).toBeLessThanOrEqual(1420);
    expect(out.frames.length).toBe(20);
  });

  it('invents no silence when the event loop stalls: packets read late play where their timestamps put them', () => {
    const { s, out, push, timeline } = stream();
    for (let i = 0; i < 10; i++) push(i, i * 160, i * 20);
    // the loop stalls 250 ms; its timers run first on waking, then the socket's queued packets are read
    s.tick(430);
    for (let i = 10; i < 22; i++) push(i, i * 160, 431);
    for (let i = 22; i < 30; i++) push(i, i * 160, 431 + (i - 21) * 20);
    expect(out.gaps).toEqual([]);
    expect(out.frames.length).toBe(30);
    expect(timeline()).toBe(600);
  });

  it('after a stall, waits one tick for the packets that queued meanwhile before declaring any lost', () => {
    const { s, out, push } = stream();
    for (let i = 0; i < 10; i++) {
      s.tick(i * 20);
      push(i, i * 160, i * 20);
    }
    s.tick(200);
    push(11, 11 * 160, 200); // 10 is still on its way
    // the loop stalls 120 ms: the tick runs first, then the socket delivers 10 and what followed
    s.tick(320);
    for (const i of [10, 12, 13, 14, 15]) push(i, i * 160, 321);
    s.tick(340);
    expect(s.counters.packetsLost).toBe(0);
    expect(s.counters.packetsLate).toBe(0);
    expect(out.gaps).toEqual([]);
    expect(out.frames.length).toBe(16);
  });

  it('declares a missing packet lost once the reorder wait expires, not before', () => {
    const { s, out, push } = stream({ reorderWaitMs: 40, reorderWindow: 10 });
    push(0, 0, 0);
    push(2, 320, 40);
    s.tick(60);
    expect(out.frames.length).toBe(1);
    expect(s.counters.packetsLost).toBe(0);
    s.tick(80);
    expect(s.counters.packetsLost).toBe(1);
    expect(out.gaps).toEqual([{ ms: 20, cause: 'loss' }]);
    expect(out.frames.length).toBe(2);
    // The straggler arrives after all: too late, counted, not played.
    push(1, 160, 90);
    expect(s.counters.packetsLate).toBe(1);
    expect(out.frames.length).toBe(2);
  });

  it('restarts on a sequence jump beyond the dropout limit without declaring thousands lost', () => {
    const { s, push } = stream();
    push(100, 0, 0);
    push(101, 160, 20);
    push(30000, 320, 40);
    push(30001, 480, 60);
    expect(s.counters.resyncs).toBe(1);
    expect(s.counters.packetsLost).toBe(0);
    expect(s.counters.framesEmitted).toBe(4);
  });

  it('treats an absurd timestamp jump as a discontinuity, not as hours of silence', () => {
    const { s, out, push } = stream();
    push(0, 0, 0);
    push(1, 0x70000000, 20);
    expect(out.gaps).toEqual([]);
    expect(s.counters.resyncs).toBe(1);
    expect(out.frames.length).toBe(2);
  });

  it('places comfort noise in the timeline by the next audio timestamp', () => {
    const { s, out, push } = stream();
    push(0, 0, 0);
    push(1, 160, 20, 13, Buffer.from([40]));
    push(2, 1600, 40);
    expect(out.gaps).toEqual([{ ms: 180, cause: 'silence' }]);
    expect(s.counters.packetsUnsupported).toBe(0);
  });

  it('keeps the clock moving through a pause the sender fills with comfort noise every 200 ms', () => {
    // RFC 3389: CN packets carry no audio, only the noise's level; a sender may refresh them while its user
    // is silent, so they keep the socket busy but must not hold the listener's clock (a person who said
    // "hello?" and waits would never be heard waiting)
    const { s, out, push, timeline } = stream();
    for (let i = 0; i < 10; i++) push(i, i * 160, i * 20);
    let seq = 10;
    for (let t = 200; t <= 2200; t += 20) {
      if (t % 200 === 0) push(seq++, (t / 20) * 160, t, 13, Buffer.from([60]));
      s.tick(t);
    }
    expect(out.frames.length).toBe(10);
    // 200 ms of audio and 2 s of comfort noise, give or take the watchdog's wait
    expect(timeline()).toBeGreaterThanOrEqual(2200 - 400 - 20);
    expect(timeline()).toBeLessThanOrEqual(2220);
    // speech resumes where its timestamp says: no second helping of the pause
    push(seq, (2220 / 20) * 160, 2220);
    expect(timeline()).toBeGreaterThanOrEqual(2220);
    expect(timeline()).toBeLessThanOrEqual(2260);
  });

  it('counts payload types it cannot decode and does not play them', () => {
    const { s, out, push } = stream();
    push(0, 0, 0, 18, Buffer.alloc(20));
    expect(out.frames).toEqual([]);
    expect(s.counters.packetsUnsupported).toBe(1);
  });

  it('finishes a partial frame with zeros before a gap, so frames stay 20 ms and in place', () => {
    const { out, s } = stream();
    const pcm = encodePcmu(tone(1000, 80, 5000));
    s.receive(1, 0, 0, 0, pcm, 0, 80, 0);
    s.receive(1, 2, 80 + 160 * 2, 0, pcm, 0, 80, 40); // seq 1 lost
    s.tick(100);
    expect(out.frames.length).toBeGreaterThanOrEqual(1);
    const first = out.frames[0] as Int16Array;
    expect(first.subarray(80).every((v) => v === 0)).toBe(true);
    expect(first.subarray(0, 80).some((v) => v !== 0)).toBe(true);
  });
});
