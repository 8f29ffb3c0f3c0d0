import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePcmu, encodePcmu, mediaClock, RtpEndpoint, RtpPortPool, type GapCause } from '../../src/media/index.js';
import { concat, rms, tone, zeroCrossingFrequency } from './audio.js';
import { until } from '../support/until.js';
import { FarEnd, sleep } from './far-end.js';
import { freePortPair } from '../support/ports.js';

let pool: RtpPortPool;
const endpoints: RtpEndpoint[] = [];
const farEnds: FarEnd[] = [];

beforeAll(async () => {
  const base = await freePortPair();
  pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 400 });
});
afterEach(() => {
  for (const e of endpoints.splice(0)) e.close();
  for (const f of farEnds.splice(0)) f.close();
});

interface Heard {
  frames: Int16Array[];
  gaps: { ms: number; cause: GapCause }[];
}

/** An endpoint negotiated with a far end, recording what it delivers. */
async function leg(codec: 'PCMU' | 'PCMA' = 'PCMU', telephoneEventPt?: number) {
  const far = await FarEnd.open();
  farEnds.push(far);
  const ep = await RtpEndpoint.open(pool, { media: far.media(codec, telephoneEventPt !== undefined ? { telephoneEventPt } : {}) });
  endpoints.push(ep);
  const heard: Heard = { frames: [], gaps: [] };
  ep.on('frame', (pcm) => heard.frames.push(pcm));
  ep.on('gap', (ms, cause) => heard.gaps.push({ ms, cause }));
  return { far, ep, heard };
}

const gapsOf = (heard: Heard, cause: GapCause) => heard.gaps.filter((g) => g.cause === cause);

describe('RtpEndpoint receiving', () => {
  it('decodes a 1 kHz PCMU tone into 20 ms frames with its level and frequency', async () => {
    const { far, ep, heard } = await leg('PCMU');
    await far.streamAudio(ep.localPort, tone(1000, 8000, 8000), 'PCMU', 5);
    await until('50 frames', () => heard.frames.length === 50, 5000, 5);
    expect(heard.frames.every((f) => f.length === 160)).toBe(true);
    const audio = concat(heard.frames);
    expect(rms(audio)).toBeGreaterThan(8000 / Math.SQRT2 * 0.95);
    expect(rms(audio)).toBeLessThan(8000 / Math.SQRT2 * 1.05);
    expect(zeroCrossingFrequency(audio)).toBeGreaterThan(990);
    expect(zeroCrossingFrequency(audio)).toBeLessThan(1010);
    expect(gapsOf(heard, 'loss')).toEqual([]);
    expect(gapsOf(heard, 'silence')).toEqual([]);
    const stats = ep.stats;
    expect(stats.packetsReceived).toBe(50);
    expect(stats.bytesReceived).toBe(50 * 172);
    expect(stats.packetsLost).toBe(0);
    expect(stats.lastArrivalAt).toBeGreaterThan(Date.now() - 5000);
  });

  it('decodes PCMA when that is the negotiated codec, even under a dynamic payload type', async () => {
    const far = await FarEnd.open();
    farEnds.push(far);
    const ep = await RtpEndpoint.open(pool, { media: far.media('PCMA', { payloadType: 98 }) });
    endpoints.push(ep);
    const frames: Int16Array[] = [];
    ep.on('frame', (f) => frames.push(f));
    far.sendAudio(ep.localPort, tone(500, 4000, 6000), 'PCMA', { pt: 98 });
    await until('25 frames', () => frames.length === 25, 5000, 5);
    expect(zeroCrossingFrequency(concat(frames))).toBeCloseTo(500, -1);
    expect(rms(concat(frames))).toBeGreaterThan(6000 / Math.SQRT2 * 0.95);
  });

  it('turns lost packets into a loss gap of their length', async () => {
    const { far, ep, heard } = await leg();
    const order = Array.from({ length: 30 }, (_, i) => i).filter((i) => i < 10 || i > 12);
    far.sendAudio(ep.localPort, tone(1000, 30 * 160), 'PCMU', { order });
    await until('27 frames', () => heard.frames.length === 27, 5000, 5);
    expect(gapsOf(heard, 'loss')).toEqual([{ ms: 60, cause: 'loss' }]);
    expect(ep.stats.packetsLost).toBe(3);
    // Frames after the gap are the audio that followed it, in place.
    const expected = decodePcmu(encodePcmu(tone(1000, 30 * 160)));
    expect(Array.from(heard.frames[10] as Int16Array)).toEqual(Array.from(expected.subarray(13 * 160, 14 * 160)));
  });

  it('turns a timestamp jump (silence suppression) into a silence gap', async () => {
    const { far, ep, heard } = await leg();
    far.sendAudio(ep.localPort, tone(1000, 20 * 160), 'PCMU', { ts: (i) => 9000 + i * 160 + (i >= 10 ? 8000 : 0) });
    await until('20 frames', () => heard.frames.length === 20, 5000, 5);
    expect(gapsOf(heard, 'silence')).toEqual([{ ms: 1000, cause: 'silence' }]);
    expect(gapsOf(heard, 'loss')).toEqual([]);
    expect(ep.stats.packetsLost).toBe(0);
  });

  it('puts reordered packets back in order and drops duplicates', async () => {
    const { far, ep, heard } = await leg();
    const pcm = tone(700, 12 * 160);
    far.sendAudio(ep.localPort, pcm, 'PCMU', { order: [0, 1, 3, 2, 4, 4, 6, 5, 7, 8, 8, 9, 10, 11, 1] });
    await until('12 frames', () => heard.frames.length === 12, 5000, 5);
    // A fixed wait on purpose: time for the late duplicate of packet 1 to arrive and (rightly) not be played.
    await sleep(20);
    expect(Array.from(concat(heard.frames))).toEqual(Array.from(decodePcmu(encodePcmu(pcm))));
    expect(gapsOf(heard, 'loss')).toEqual([]);
    expect(ep.stats.packetsLost).toBe(0);
    expect(ep.stats.packetsDuplicate).toBe(3);
  });

  it('keeps the timeline running when RTP stops, and resumes the audio when it returns', async () => {
    const { far, ep, heard } = await leg();
    far.sendAudio(ep.localPort, tone(1000, 10 * 160), 'PCMU');
    await until('10 frames', () => heard.frames.length === 10, 5000, 5);
    const silentFrom = Date.now();
    // the watchdog (800 ms) first declares what it waited out, then follows tick by tick
    await until('1000 ms of watchdog gaps', () => gapsOf(heard, 'watchdog').reduce((n, g) => n + g.ms, 0) >= 1000, 5000, 5);
    const elapsed = Date.now() - silentFrom;
    const watchdog = gapsOf(heard, 'watchdog');
    // Declared in real time, tick by tick, never more than the silence lasted.
    expect(watchdog.length).toBeGreaterThan(3);
    expect(watchdog.every((g) => g.ms % 20 === 0)).toBe(true);
    expect(watchdog.reduce((n, g) => n + g.ms, 0)).toBeLessThanOrEqual(elapsed + 20);
    // The sender carries on as if nothing happened (a stall): its audio is played, not dropped as late.
    far.sendAudio(ep.localPort, tone(1000, 20 * 160), 'PCMU', { order: Array.from({ length: 10 }, (_, i) => 10 + i) });
    await until('20 frames', () => heard.frames.length === 20, 5000, 5);
    expect(ep.stats.packetsLate).toBe(0);
  });

  it('advances the timeline after start() even if no RTP ever arrives', async () => {
    const { ep, heard } = await leg();
    ep.start();
    await until('200 ms of gaps', () => heard.gaps.reduce((n, g) => n + g.ms, 0) >= 200, 5000, 5);
    expect(heard.frames).toEqual([]);
    expect(heard.gaps.every((g) => g.cause === 'watchdog')).toBe(true);
    expect(ep.timelineMs).toBeGreaterThanOrEqual(200);
  });

  it('survives garbage datagrams and RTCP, counting them, and still decodes what follows', async () => {
    const { far, ep, heard } = await leg();
    const to = ep.localPort;
    far.sendRaw(to, Buffer.alloc(0));
    far.sendRaw(to, Buffer.from([0x80, 0x00, 0x01]));
    far.sendRaw(to, Buffer.from('INVITE sip:x@y SIP/2.0\r\n\r\n'));
    // Version 2 with 15 CSRCs announced but no room for them.
    far.sendRaw(to, Buffer.from([0x8f, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xaa]));
    // Padding bit set with a padding length beyond the packet.
    far.sendRaw(to, Buffer.from([0xa0, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]));
    // An RTCP receiver report multiplexed on the RTP port.
    far.sendRaw(to, Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]));
    for (let i = 0; i < 20; i++) far.sendRaw(to, Buffer.from(Array.from({ length: 40 + i }, (_, j) => (j * 37 + i) & 0xff)));
    far.sendAudio(to, tone(1000, 10 * 160), 'PCMU');
    await until('10 frames after the garbage', () => heard.frames.length === 10, 5000, 5);
    const stats = ep.stats;
    expect(stats.packetsRtcp).toBe(1);
    expect(stats.packetsMalformed).toBeGreaterThanOrEqual(5);
    expect(stats.packetsReceived).toBe(26 + 10);
    expect(zeroCrossingFrequency(concat(heard.frames))).toBeCloseTo(1000, -1);
  });

  it('keeps receiving when a frame listener throws, counting the failures', async () => {
    const { far, ep, heard } = await leg();
    ep.on('frame', () => {
      throw new Error('listener bug');
    });
    far.sendAudio(ep.localPort, tone(1000, 5 * 160), 'PCMU');
    await until('5 listener failures', () => ep.stats.listenerErrors === 5, 5000, 5);
    expect(heard.frames.length).toBe(5);
    expect(ep.stats.packetsPlayed).toBe(5);
    const frequency = zeroCrossingFrequency(concat(heard.frames));
    expect(frequency).toBeGreaterThan(980);
    expect(frequency).toBeLessThan(1020);
  });

  it('re-syncs on an SSRC change without a spurious gap or lost packets', async () => {
    const { far, ep, heard } = await leg();
    far.sendAudio(ep.localPort, tone(1000, 10 * 160), 'PCMU', { seq0: 60000, ts0: 1_000_000 });
    far.ssrc = 0x0badcafe;
    far.sendAudio(ep.localPort, tone(1000, 10 * 160), 'PCMU', { seq0: 7, ts0: 3_000_000_000 });
    await until('20 frames', () => heard.frames.length === 20, 5000, 5);
    expect(ep.stats.ssrcChanges).toBe(1);
    expect(ep.stats.packetsLost).toBe(0);
    expect(heard.gaps.filter((g) => g.cause !== 'watchdog')).toEqual([]);
  });

  it('re-frames 30 ms packets into 20 ms frames, filling a lost packet with silence', async () => {
    const { far, ep, heard } = await leg();
    const pcm = tone(1000, 10 * 240);
    for (const i of [0, 1, 2, 3, 5, 6, 7, 8, 9]) {
      far.send(ep.localPort, { pt: 0, seq: 500 + i, ts: 7000 + i * 240, payload: encodePcmu(pcm.subarray(i * 240, (i + 1) * 240)) });
    }
    // 9 packets of 240 samples plus 240 missing = 15 frames of timeline: 960 + 240 + 1200 samples.
    await until('300 ms of timeline', () => heard.frames.length * 20 + gapsOf(heard, 'loss').reduce((n, g) => n + g.ms, 0) === 300, 5000, 5);
    expect(heard.frames.every((f) => f.length === 160)).toBe(true);
    const audio = concat(heard.frames);
    const expected = decodePcmu(encodePcmu(pcm));
    // Up to the loss the frames carry the audio unchanged and in place.
    expect(Array.from(audio.subarray(0, 960))).toEqual(Array.from(expected.subarray(0, 960)));
    expect(ep.stats.packetsLost).toBe(1);
  });

  it('follows sequence numbers across the 16-bit wrap', async () => {
    const { far, ep, heard } = await leg();
    far.sendAudio(ep.localPort, tone(1000, 20 * 160), 'PCMU', { seq0: 65530, ts0: 0xffffff00 });
    await until('20 frames', () => heard.frames.length === 20, 5000, 5);
    expect(ep.stats.packetsLost).toBe(0);
    expect(ep.stats.packetsLate).toBe(0);
    expect(heard.gaps.filter((g) => g.cause !== 'watchdog')).toEqual([]);
  });

  it('reports an RFC 4733 DTMF digit once although its end packet is sent three times', async () => {
    const { far, ep } = await leg('PCMU', 101);
    const digits: { digit: string; durationMs: number }[] = [];
    ep.on('dtmf', (d) => digits.push(d));
    const event = (seq: number, end: boolean, duration: number) =>
      far.send(ep.localPort, { pt: 101, seq, ts: 8000, marker: seq === 1, payload: Buffer.from([5, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]) });
    event(1, false, 160);
    event(2, false, 320);
    event(3, true, 800);
    event(4, true, 800);
    event(5, true, 800);
    far.sendAudio(ep.localPort, tone(1000, 160), 'PCMU', { seq0: 6, ts0: 8800 });
    await until('6 packets', () => ep.stats.packetsPlayed === 6, 5000, 5);
    expect(digits).toEqual([{ digit: '5', event: 5, durationMs: 100, volume: 10 }]);
  });
});

describe('RtpEndpoint sending and symmetric RTP', () => {
  it('sends PCM as a continuous RTP stream in the negotiated codec', async () => {
    const { far, ep } = await leg('PCMU');
    const pcm = tone(800, 25 * 160, 9000);
    for (let i = 0; i < 25; i++) ep.sendPcm(pcm.subarray(i * 160, (i + 1) * 160));
    await until('25 packets at the far end', () => far.received.length === 25, 5000, 5);
    const packets = far.received.map((r) => r.packet);
    expect(new Set(packets.map((p) => p.getSsrc()))).toEqual(new Set([ep.sendStream.ssrc]));
    for (let i = 1; i < packets.length; i++) {
      expect((packets[i]!.getSequenceNumber() - packets[i - 1]!.getSequenceNumber()) & 0xffff).toBe(1);
      expect((packets[i]!.getTimestamp() - packets[i - 1]!.getTimestamp()) >>> 0).toBe(160);
    }
    expect(packets[0]!.getMarker()).toBe(true);
    const heard = far.decodedAudio('PCMU');
    expect(zeroCrossingFrequency(heard)).toBeCloseTo(800, -1);
    expect(rms(heard)).toBeGreaterThan(9000 / Math.SQRT2 * 0.95);
    expect(ep.stats.packetsSent).toBe(25);
  });

  it('latches to where RTP comes from when the SDP address is unusable', async () => {
    const far = await FarEnd.open();
    farEnds.push(far);
    const ep = await RtpEndpoint.open(pool, { media: { ...far.media('PCMU'), address: '0.0.0.0' } });
    endpoints.push(ep);
    const latched: unknown[] = [];
    ep.on('latched', (r) => latched.push(r));
    ep.sendPcm(tone(800, 160));
    expect(ep.stats.packetsUnsent).toBe(1);
    far.sendAudio(ep.localPort, tone(1000, 160), 'PCMU');
    await until('latching', () => latched.length === 1, 5000, 5);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: far.port });
    ep.sendPcm(tone(800, 160));
    await until('a packet back at the far end', () => far.received.length === 1, 5000, 5);
  });

  it('latches to the real source when it differs from the SDP, and ignores a second source meanwhile', async () => {
    const far = await FarEnd.open();
    const other = await FarEnd.open();
    farEnds.push(far, other);
    const ep = await RtpEndpoint.open(pool, { media: { ...far.media('PCMU'), port: far.port === 9 ? 11 : 9 } });
    endpoints.push(ep);
    const frames: Int16Array[] = [];
    ep.on('frame', (f) => frames.push(f));
    far.sendAudio(ep.localPort, tone(1000, 5 * 160), 'PCMU');
    await until('5 frames', () => frames.length === 5, 5000, 5);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: far.port });
    other.ssrc = 0x77777777;
    other.sendAudio(ep.localPort, tone(400, 5 * 160), 'PCMU');
    await until('stray packets counted', () => ep.stats.packetsStray === 5, 5000, 5);
    expect(frames.length).toBe(5);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: far.port });
  });

  it('lets another source take over once the latched one has gone quiet', async () => {
    const far = await FarEnd.open();
    const other = await FarEnd.open();
    farEnds.push(far, other);
    const ep = await RtpEndpoint.open(pool, { media: far.media('PCMU'), relatchAfterMs: 100 });
    endpoints.push(ep);
    const latched: unknown[] = [];
    ep.on('latched', (r) => latched.push(r));
    far.sendAudio(ep.localPort, tone(1000, 2 * 160), 'PCMU');
    await until('2 packets', () => ep.stats.packetsPlayed === 2, 5000, 5);
    expect(latched).toEqual([]);
    // The scenario: the first source stays silent longer than relatchAfterMs (100 ms).
    await sleep(150);
    other.sendAudio(ep.localPort, tone(1000, 2 * 160), 'PCMU', { seq0: 3000 });
    await until('the new source', () => latched.length === 1, 5000, 5);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: other.port });
    expect(ep.stats.packetsStray).toBe(0);
    await until('the new source played', () => ep.stats.packetsPlayed === 4, 5000, 5);
    expect(ep.stats.packetsLost).toBe(0);
  });
});

describe('RtpEndpoint and the pool', () => {
  it('leaks no port and no clock registration after 50 calls', async () => {
    const far = await FarEnd.open();
    farEnds.push(far);
    const before = pool.inUse;
    const clocked = mediaClock.size;
    for (let call = 0; call < 50; call++) {
      const ep = await RtpEndpoint.open(pool, { media: far.media('PCMU') });
      let frames = 0;
      ep.on('frame', () => frames++);
      far.send(ep.localPort, { pt: 0, seq: 1, ts: 0, payload: encodePcmu(tone(1000, 160)) });
      ep.sendPcm(tone(500, 160));
      await until(`call ${call}'s media both ways`, () => frames === 1 && far.received.length === call + 1, 5000, 5);
      if (call % 2 === 0) ep.start();
      ep.close();
      ep.close();
    }
    expect(pool.inUse).toBe(before);
    expect(mediaClock.size).toBe(clocked);
  });
});
