import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { callInAndOut, offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';
import { RawSipPeer } from './raw-sip.js';

/** Mulberry32: a small seeded generator, so every run sends the same mutations. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 4475;
const UDP_MUTATIONS = 3000;
const TCP_MUTATIONS = 300;

const fixtures = readdirSync(new URL('../fixtures/rfc4475/', import.meta.url))
  .filter((f) => f.endsWith('.dat'))
  .map((f) => readFileSync(new URL(`../fixtures/rfc4475/${f}`, import.meta.url)));

const interesting = ['\r\n', '\r\n\r\n', ':', ';', ',', '<', '>', '"', '\\', '\0', ' ', '\t', 'SIP/2.0', '99999999999999999999', '-1', '%', '@', '__proto__', 'constructor', 'Content-Length: 100000', 'Via: ', 'To: x;tag=', '\u00ff'];

/** One random mutation of a real message: flipped, inserted, deleted, duplicated or swapped bytes and lines. */
function mutate(base: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(base);
  const at = () => Math.floor(rnd() * (b.length + 1));
  const rounds = 1 + Math.floor(rnd() * 4);
  for (let r = 0; r < rounds; r++) {
    switch (Math.floor(rnd() * 7)) {
      case 0: {
        if (b.length) b[Math.min(b.length - 1, at())] = Math.floor(rnd() * 256);
        break;
      }
      case 1: {
        const i = at();
        b = Buffer.concat([b.subarray(0, i), Buffer.from(interesting[Math.floor(rnd() * interesting.length)]!, 'latin1'), b.subarray(i)]);
        break;
      }
      case 2: {
        const i = at();
        b = Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + Math.floor(rnd() * 40)))]);
        break;
      }
      case 3: {
        const lines = b.toString('latin1').split('\r\n');
        const i = Math.floor(rnd() * lines.length);
        lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)]!);
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 4: {
        const lines = b.toString('latin1').split('\r\n');
        const i = Math.floor(rnd() * lines.length);
        const j = Math.floor(rnd() * lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 5: {
        b = b.subarray(0, at());
        break;
      }
      default: {
        const i = at();
        b = Buffer.concat([b.subarray(0, i), Buffer.from(String(Math.floor(rnd() * 1e12)), 'latin1'), b.subarray(i)]);
      }
    }
  }
  return b;
}

let env: EdgeWithSrf;
let peer: RawSipPeer;
const internalErrors: unknown[] = [];
/** What drachtio-srf logged about messages it could not read: each one a request its app never saw. */
const appParseFailures: string[] = [];
const consoleError = console.error;

beforeAll(async () => {
  const logger = pino({ level: 'error' }, { write: (line: string) => internalErrors.push(line) });
  console.error = (...args: unknown[]) => {
    if (args.some((a) => String(a).includes('unable to parse incoming message'))) appParseFailures.push(String(args[1]).slice(0, 200));
    else consoleError(...args);
  };
  env = await startEdgeWithSrf({ timers: { T1: 50, T4: 500 }, logger, sip: { host: '127.0.0.1', port: 0, tcpLimits: { messageDeadlineMs: 500 } } });
  env.srf.invite((req: any, res: any) => {
    if (/^sip:bot1@/.test(req.uri)) env.srf.createUAS(req, res, { localSdp: offer }).catch(() => undefined);
    else res.send(486);
  });
  peer = await RawSipPeer.open([5060, 5050]);
});

afterAll(async () => {
  console.error = consoleError;
  await stopAllSipp();
  await peer?.close();
  await env?.close();
});

describe('fuzzing the embedded edge with mutated real messages (seed 4475, loopback only)', () => {
  it(`survives ${UDP_MUTATIONS} mutated datagrams without an internal error`, async () => {
    const rnd = seeded(SEED);
    for (let i = 0; i < UDP_MUTATIONS; i++) {
      peer.send(mutate(fixtures[Math.floor(rnd() * fixtures.length)]!, rnd), env.sipTarget);
      // Every 100 datagrams, wait for a probe's answer so the edge's socket buffer never overflows.
      if (i % 100 === 99) await peer.sync(env.sipTarget);
    }
    expect(internalErrors).toEqual([]);
    expect(appParseFailures).toEqual([]);
    // Every request the app was given got its answer: no transaction is left waiting once the timers ran out.
    await until('no transaction left waiting', () => env.edge.pendingTransactions === 0, 10_000, 200);
    expect(env.edge.pendingTransactions).toBe(0);
  });

  it(`survives ${TCP_MUTATIONS} mutated messages over TCP, in random segments`, async () => {
    const rnd = seeded(SEED + 1);
    const [host, port] = env.sipTarget.split(':');
    for (let c = 0; c < TCP_MUTATIONS / 10; c++) {
      const socket = connect({ host, port: Number(port) });
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const stream = Buffer.concat(Array.from({ length: 10 }, () => mutate(fixtures[Math.floor(rnd() * fixtures.length)]!, rnd)));
      for (let i = 0; i < stream.length && !socket.destroyed; ) {
        const n = 1 + Math.floor(rnd() * 2000);
        socket.write(stream.subarray(i, i + n));
        i += n;
      }
      // The edge closes it (unframeable, or the message deadline); never wait longer than that.
      socket.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      socket.destroy();
    }
    expect(internalErrors).toEqual([]);
    expect(env.edge.tcpConnections.open).toBe(0);
  });

  it('places and takes a normal call afterwards', async () => {
    const { inbound, outbound } = await callInAndOut(env);
    expect(inbound.exitCode, inbound.errors).toBe(0);
    expect(outbound.exitCode, outbound.errors).toBe(0);
    expect(env.edge.malformedCount).toBeGreaterThan(1000);
  });
});
