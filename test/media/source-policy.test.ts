// RTP from strangers: media is taken only from the address the SDP answer names (or, where that address
// cannot be the source, from the first source, once); ports are drawn at random. Real UDP on loopback,
// the stranger on 127.0.0.2.

import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodePcmu, RtpEndpoint, RtpPortPool } from '../../src/media/index.js';
import { sdpAddressCanBeSource } from '../../src/media/endpoint.js';
import { rms, tone, zeroCrossingFrequency } from './audio.js';
import { until } from '../support/until.js';
import { FarEnd, sleep } from './far-end.js';
import { freePortPair } from '../support/ports.js';

let pool: RtpPortPool;
const endpoints: RtpEndpoint[] = [];
const closers: Array<() => void> = [];

beforeAll(async () => {
  const base = await freePortPair();
  pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 400 });
});
afterEach(() => {
  for (const e of endpoints.splice(0)) e.close();
  for (const c of closers.splice(0)) c();
});

/** A stranger on another loopback address sending valid PCMU. */
async function stranger(): Promise<{ socket: Socket; spray(port: number, hz: number, packets: number, seq0?: number): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));
  closers.push(() => socket.close());
  return {
    socket,
    spray(port, hz, packets, seq0 = 7000) {
      const pcm = tone(hz, packets * 160);
      for (let i = 0; i < packets; i++) {
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = 0;
        header.writeUInt16BE((seq0 + i) & 0xffff, 2);
        header.writeUInt32BE(90_000 + i * 160, 4);
        header.writeUInt32BE(0x0badf00d, 8);
        socket.send(Buffer.concat([header, Buffer.from(encodePcmu(pcm.subarray(i * 160, (i + 1) * 160)))]), port, '127.0.0.1');
      }
    },
  };
}

async function farEnd(): Promise<FarEnd> {
  const far = await FarEnd.open();
  closers.push(() => far.close());
  return far;
}

function heard(ep: RtpEndpoint): Int16Array[] {
  const frames: Int16Array[] = [];
  ep.on('frame', (f) => frames.push(f));
  return frames;
}

function joined(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

describe('RTP from an address the answer does not name', () => {
  it('is dropped before the answer and after it, counted, and never heard or answered', async () => {
    const far = await farEnd();
    const attacker = await stranger();
    const ep = await RtpEndpoint.open(pool);
    endpoints.push(ep);
    const frames = heard(ep);
    const strays0 = pool.packetsFromUnexpectedSources;
    // Sprayed at the port before the answer arrives: nobody is expected yet.
    attacker.spray(ep.localPort, 400, 10);
    await until('pre-answer spray counted', () => ep.stats.packetsStray === 10, 5000, 5);
    ep.setRemote(far.media('PCMU'));
    ep.start();
    // Still spraying from the stranger's address, first, then the real far end.
    attacker.spray(ep.localPort, 400, 10, 7100);
    await until('post-answer spray counted', () => ep.stats.packetsStray === 20, 5000, 5);
    far.sendAudio(ep.localPort, tone(1000, 10 * 160), 'PCMU');
    await until('the far end heard', () => frames.length >= 10, 5000, 5);
    attacker.spray(ep.localPort, 400, 10, 7200);
    await until('mid-call spray counted', () => ep.stats.packetsStray === 30, 5000, 5);
    // A fixed wait on purpose: time for any sprayed packet that got through to be played, which it must not be.
    await sleep(50);
    const audio = joined(frames.slice(0, 10));
    expect(zeroCrossingFrequency(audio)).toBeCloseTo(1000, -2);
    expect(rms(audio)).toBeGreaterThan(1000);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: far.port });
    expect(pool.packetsFromUnexpectedSources - strays0).toBe(30);
    // What we send goes to the far end, not to the stranger.
    ep.sendPcm(tone(800, 160));
    await until('our packet at the far end', () => far.received.length === 1, 5000, 5);
  });

  it('a stranger holding the leg "alive" does not move its last arrival (the liveness watchdog still sees silence)', async () => {
    const far = await farEnd();
    const attacker = await stranger();
    const ep = await RtpEndpoint.open(pool, { media: far.media('PCMU') });
    endpoints.push(ep);
    attacker.spray(ep.localPort, 400, 5);
    await until('spray counted', () => ep.stats.packetsStray === 5, 5000, 5);
    expect(ep.stats.lastArrivalAt).toBeUndefined();
  });
});

describe('an answer whose address cannot be the source', () => {
  it('latches to the first source once, and never to another even after a silence', async () => {
    const far = await farEnd();
    const attacker = await stranger();
    const ep = await RtpEndpoint.open(pool, { media: { ...far.media('PCMU'), address: '0.0.0.0' }, relatchAfterMs: 50 });
    endpoints.push(ep);
    const latched: unknown[] = [];
    ep.on('latched', (r) => latched.push(r));
    far.sendAudio(ep.localPort, tone(1000, 2 * 160), 'PCMU');
    await until('latched to the far end', () => latched.length === 1, 5000, 5);
    // The scenario: the far end stays silent longer than relatchAfterMs (50 ms) before the stranger sprays.
    await sleep(120);
    attacker.spray(ep.localPort, 400, 5);
    await until('the stranger dropped', () => ep.stats.packetsStray === 5, 5000, 5);
    expect(latched).toEqual([{ address: '127.0.0.1', port: far.port }]);
    expect(ep.remote).toEqual({ address: '127.0.0.1', port: far.port });
  });

  it('a private or loopback SDP address cannot be the source of packets reaching a public socket', () => {
    expect(sdpAddressCanBeSource('10.0.0.5', '203.0.113.5')).toBe(false);
    expect(sdpAddressCanBeSource('192.168.1.20', '198.51.100.9')).toBe(false);
    expect(sdpAddressCanBeSource('127.0.0.1', '203.0.113.5')).toBe(false);
    expect(sdpAddressCanBeSource('10.0.0.5', '10.0.0.1')).toBe(true);
    expect(sdpAddressCanBeSource('203.0.113.7', '10.0.0.1')).toBe(true);
    expect(sdpAddressCanBeSource('127.0.0.1', '127.0.0.1')).toBe(true);
  });
});

describe('RTP ports', () => {
  it('are drawn at random within the range, not handed out in order', async () => {
    const base = await freePortPair();
    const ranged = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 2000 });
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) {
      const lease = await ranged.allocate();
      ports.push(lease.port);
      lease.release();
    }
    for (const p of ports) {
      expect(p % 2).toBe(0);
      expect(p).toBeGreaterThanOrEqual(base);
      expect(p).toBeLessThanOrEqual(base + 2000);
    }
    const steps = ports.slice(1).map((p, i) => p - ports[i]!);
    // In-order allocation would step +2 every time; 12 random draws from ~1000 ports almost never repeat a step.
    expect(steps.filter((d) => d === 2).length).toBeLessThan(3);
    expect(new Set(ports).size).toBe(12);
  });
});
