// Per-packet cost of the RTP endpoint: `npx tsx test/media/receive.bench.ts`.
// Datagrams are handed to the endpoint as its socket would hand them ('message' events), so the figures are
// outdial's own work per packet (rtp.js parse, ordering, G.711 decode, frame events; relay rewrite and
// send), without the kernel's share of the receive.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { encodePcmu, RtpEndpoint, RtpPortPool, RtpRelay, type RtpPortLease } from '../../src/media/index.js';
import { tone } from './audio.js';
import { rtpBytes } from './far-end.js';
import { freePortPair } from '../support/ports.js';

const CALLS = 500;
const ROUNDS = 1000;
const PPS_PER_CALL = 50;

const base = await freePortPair();
const pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 4 * CALLS + 400 });
const sink = createSocket('udp4');
await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
const sinkPort = sink.address().port;
const media = { address: '127.0.0.1', port: sinkPort, codec: 'PCMU' as const, payloadType: 0, direction: 'sendrecv' as const };
const rinfo: RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: sinkPort, size: 172 };
const template = rtpBytes({ pt: 0, seq: 0, ts: 0, payload: encodePcmu(tone(1000, 160)) }, 0x1234);

async function legs(count: number): Promise<{ lease: RtpPortLease; ep: RtpEndpoint }[]> {
  const out = [];
  for (let i = 0; i < count; i++) {
    const lease = await pool.allocate();
    out.push({ lease, ep: new RtpEndpoint(lease, { media }) });
  }
  return out;
}

async function run(label: string, targets: { lease: RtpPortLease; ep: RtpEndpoint }[]): Promise<void> {
  let frames = 0;
  for (const t of targets) t.ep.on('frame', () => frames++);
  const messages = Array.from({ length: ROUNDS }, (_, round) => {
    const msg = Buffer.from(template);
    msg.writeUInt16BE(round & 0xffff, 2);
    msg.writeUInt32BE((round * 160) >>> 0, 4);
    return msg;
  });
  const start = process.cpuUsage();
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const msg = messages[round] as Buffer;
    for (const t of targets) t.lease.socket.emit('message', msg, rinfo);
    // Let queued sends go out now and then, as the event loop would.
    if (round % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(start);
  const packets = ROUNDS * targets.length;
  const usPerPacket = ((cpu.user + cpu.system) / packets);
  const load = (usPerPacket * CALLS * PPS_PER_CALL) / 1e6;
  console.log(
    `${label}: ${packets} packets, ${frames} frames, ${(wall * 1000 / packets).toFixed(2)} µs/packet wall, ` +
      `${usPerPacket.toFixed(2)} µs/packet CPU → ${CALLS} calls × ${PPS_PER_CALL} pps = ${(load * 100).toFixed(1)}% of one core`,
  );
}

const callees = await legs(CALLS);
await run('receive (decode + frames)', callees);
const bots = await legs(CALLS);
const relays = callees.map((c, i) => new RtpRelay(c.ep, (bots[i] as { ep: RtpEndpoint }).ep));
await run('receive + relay to the bot leg (send included)', callees);

for (const r of relays) r.stop();
for (const l of [...callees, ...bots]) l.ep.close();
sink.close();
console.log(`ports in use after close: ${pool.inUse}`);
