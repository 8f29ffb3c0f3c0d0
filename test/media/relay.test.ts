import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RtpEndpoint, RtpPortPool, RtpRelay, type G711Codec } from '../../src/media/index.js';
import { concat, rms, tone, zeroCrossingFrequency } from './audio.js';
import { until } from '../support/until.js';
import { FarEnd } from './far-end.js';
import { freePortPair } from '../support/ports.js';

let pool: RtpPortPool;
const endpoints: RtpEndpoint[] = [];
const farEnds: FarEnd[] = [];
const relays: RtpRelay[] = [];

beforeAll(async () => {
  const base = await freePortPair();
  pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 100 });
});
afterEach(() => {
  for (const r of relays.splice(0)) r.stop();
  for (const e of endpoints.splice(0)) e.close();
  for (const f of farEnds.splice(0)) f.close();
});

async function bridge(calleeCodec: G711Codec, botCodec: G711Codec, events: { callee?: number; bot?: number } = {}) {
  const callee = await FarEnd.open();
  const bot = await FarEnd.open();
  bot.ssrc = 0x0b0b0b0b;
  farEnds.push(callee, bot);
  const a = await RtpEndpoint.open(pool, { media: callee.media(calleeCodec, events.callee !== undefined ? { telephoneEventPt: events.callee } : {}) });
  const b = await RtpEndpoint.open(pool, { media: bot.media(botCodec, events.bot !== undefined ? { telephoneEventPt: events.bot } : {}) });
  endpoints.push(a, b);
  const relay = new RtpRelay(a, b);
  relays.push(relay);
  return { callee, bot, a, b, relay };
}

/** Sequence numbers step by one and timestamps by the packet's samples; one SSRC throughout. */
function expectContinuous(far: FarEnd, ssrc: number): void {
  const packets = far.received.map((r) => r.packet);
  expect(new Set(packets.map((p) => p.getSsrc()))).toEqual(new Set([ssrc]));
  for (let i = 1; i < packets.length; i++) {
    expect((packets[i]!.getSequenceNumber() - packets[i - 1]!.getSequenceNumber()) & 0xffff, `seq step at ${i}`).toBe(1);
    expect((packets[i]!.getTimestamp() - packets[i - 1]!.getTimestamp()) >>> 0, `ts step at ${i}`).toBe(160);
  }
}

describe('RtpRelay', () => {
  for (const [calleeCodec, botCodec] of [
    ['PCMU', 'PCMU'],
    ['PCMU', 'PCMA'],
    ['PCMA', 'PCMU'],
  ] as const) {
    it(`carries each side's audio to the other (callee ${calleeCodec}, bot ${botCodec})`, async () => {
      const { callee, bot, a, b, relay } = await bridge(calleeCodec, botCodec);
      const calleeFrames: Int16Array[] = [];
      a.on('frame', (f) => calleeFrames.push(f));
      callee.sendAudio(a.localPort, tone(600, 25 * 160, 9000), calleeCodec);
      bot.sendAudio(b.localPort, tone(1400, 25 * 160, 9000), botCodec);
      await until('25 packets at each far end', () => bot.received.length === 25 && callee.received.length === 25, 5000, 5);

      const atBot = bot.decodedAudio(botCodec);
      const atCallee = callee.decodedAudio(calleeCodec);
      expect(zeroCrossingFrequency(atBot)).toBeCloseTo(600, -1);
      expect(zeroCrossingFrequency(atCallee)).toBeCloseTo(1400, -1);
      expect(rms(atBot)).toBeGreaterThan(9000 / Math.SQRT2 * 0.93);
      expect(rms(atCallee)).toBeGreaterThan(9000 / Math.SQRT2 * 0.93);
      expectContinuous(bot, b.sendStream.ssrc);
      expectContinuous(callee, a.sendStream.ssrc);
      // The callee's leg still delivers its decoded audio to a listener (AMD) while bridged.
      await until('callee frames', () => calleeFrames.length === 25, 5000, 5);
      expect(zeroCrossingFrequency(concat(calleeFrames))).toBeCloseTo(600, -1);
      const transcoding = calleeCodec !== botCodec;
      expect(relay.stats.aToB).toEqual({ forwarded: 25, transcoded: transcoding ? 25 : 0, dropped: 0 });
      expect(relay.stats.bToA).toEqual({ forwarded: 25, transcoded: transcoding ? 25 : 0, dropped: 0 });
    });
  }

  it('keeps the output stream continuous when the source changes SSRC and numbering', async () => {
    const { callee, bot, a } = await bridge('PCMU', 'PCMU');
    callee.sendAudio(a.localPort, tone(600, 10 * 160), 'PCMU', { seq0: 100, ts0: 1000 });
    await until('10 packets', () => bot.received.length === 10, 5000, 5);
    callee.ssrc = 0x51515151;
    callee.sendAudio(a.localPort, tone(600, 10 * 160), 'PCMU', { seq0: 40000, ts0: 2_000_000 });
    await until('20 packets', () => bot.received.length === 20, 5000, 5);
    const packets = bot.received.map((r) => r.packet);
    expect(new Set(packets.map((p) => p.getSsrc())).size).toBe(1);
    for (let i = 1; i < 20; i++) expect((packets[i]!.getSequenceNumber() - packets[i - 1]!.getSequenceNumber()) & 0xffff).toBe(1);
    // The new source starts a talkspurt: marked, and its timestamps go forward from the old ones.
    expect(packets[10]!.getMarker()).toBe(true);
    const step = (packets[10]!.getTimestamp() - packets[9]!.getTimestamp()) | 0;
    expect(step).toBeGreaterThanOrEqual(160);
    for (let i = 11; i < 20; i++) expect((packets[i]!.getTimestamp() - packets[i - 1]!.getTimestamp()) >>> 0).toBe(160);
  });

  it('keeps a loss visible to the far end as a sequence gap', async () => {
    const { callee, bot, a } = await bridge('PCMU', 'PCMU');
    callee.sendAudio(a.localPort, tone(600, 10 * 160), 'PCMU', { order: [0, 1, 2, 3, 5, 6, 7, 8, 9] });
    await until('9 packets', () => bot.received.length === 9, 5000, 5);
    const seqs = bot.received.map((r) => r.packet.getSequenceNumber());
    expect((seqs[4]! - seqs[3]!) & 0xffff).toBe(2);
  });

  it('passes telephone-events through under the payload type of the other leg, and still reports the digit', async () => {
    const { callee, bot, a } = await bridge('PCMU', 'PCMA', { callee: 101, bot: 96 });
    const digits: string[] = [];
    a.on('dtmf', (d) => digits.push(d.digit));
    for (let i = 0; i < 3; i++) {
      callee.send(a.localPort, { pt: 101, seq: 10 + i, ts: 4000, marker: i === 0, payload: Buffer.from([11, i === 2 ? 0x8a : 0x0a, (160 * (i + 1)) >> 8, (160 * (i + 1)) & 0xff]) });
    }
    await until('3 event packets at the bot', () => bot.received.length === 3, 5000, 5);
    expect(bot.received.map((r) => r.packet.getPayloadType())).toEqual([96, 96, 96]);
    expect(Array.from(bot.received[2]!.payload)).toEqual([11, 0x8a, 480 >> 8, 480 & 0xff]);
    expect(new Set(bot.received.map((r) => r.packet.getTimestamp())).size).toBe(1);
    await until('the digit', () => digits.length === 1, 5000, 5);
    expect(digits).toEqual(['#']);
  });

  it('drops telephone-events towards a leg that did not negotiate them', async () => {
    const { callee, bot, a, relay } = await bridge('PCMU', 'PCMU', { callee: 101 });
    callee.send(a.localPort, { pt: 101, seq: 1, ts: 0, payload: Buffer.from([1, 0x8a, 0, 160]) });
    callee.sendAudio(a.localPort, tone(600, 160), 'PCMU', { seq0: 2, ts0: 800 });
    await until('the audio packet', () => bot.received.length === 1, 5000, 5);
    expect(bot.received[0]!.packet.getPayloadType()).toBe(0);
    expect(relay.stats.aToB.dropped).toBe(1);
  });

  it('stops forwarding when stopped, leaving both endpoints usable', async () => {
    const { callee, bot, a, b, relay } = await bridge('PCMU', 'PCMU');
    relay.stop();
    const frames: Int16Array[] = [];
    a.on('frame', (f) => frames.push(f));
    callee.sendAudio(a.localPort, tone(600, 5 * 160), 'PCMU');
    await until('5 frames', () => frames.length === 5, 5000, 5);
    expect(bot.received.length).toBe(0);
    expect(() => new RtpRelay(a, b).stop()).not.toThrow();
  });
});
