import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpPortPool, RtpPortsExhaustedError, type RtpPortLease } from '../../src/media/index.js';
import { freePortPair } from '../support/ports.js';
import { untilValue } from '../support/until.js';

const leases: RtpPortLease[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const l of leases.splice(0)) l.release();
  for (const s of sockets.splice(0)) s.close();
});

function occupy(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s));
    sockets.push(s);
  });
}

describe('RtpPortPool', () => {
  it('hands out even ports with bound sockets inside the range, and takes them back', async () => {
    const base = await freePortPair();
    const pool = new RtpPortPool({ host: '127.0.0.1', portMin: base - 1, portMax: base + 40 });
    const got = await Promise.all(Array.from({ length: 5 }, () => pool.allocate()));
    leases.push(...got);
    const ports = got.map((l) => l.port);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) {
      expect(p % 2).toBe(0);
      expect(p).toBeGreaterThanOrEqual(base - 1);
      expect(p).toBeLessThanOrEqual(base + 40);
    }
    expect(got[0]?.socket.address().port).toBe(ports[0]);
    expect(pool.inUse).toBe(5);
    got[0]?.release();
    got[0]?.release();
    expect(pool.inUse).toBe(4);
  });

  it('skips a port that another process holds', async () => {
    const base = await freePortPair();
    await occupy(base);
    const pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 3 });
    const lease = await pool.allocate();
    leases.push(lease);
    expect(lease.port).toBe(base + 2);
  });

  it('fails with a clear error when every port is taken, and recovers after a release', async () => {
    const base = await freePortPair();
    const pool = new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 1 });
    const first = await pool.allocate();
    leases.push(first);
    await expect(pool.allocate()).rejects.toThrow(RtpPortsExhaustedError);
    await expect(pool.allocate()).rejects.toThrow(/no free RTP port in media.rtp 127.0.0.1:\d+–\d+ \(1 held by outdial/);
    first.release();
    // The socket close completes asynchronously; the next bind may need a moment.
    const again = (await untilValue('the released port to be free again', () => pool.allocate().catch(() => undefined), (l) => l !== undefined, 2000, 5))!;
    leases.push(again);
    expect(again.port).toBe(base);
  });

  it('rejects a range without an even port', () => {
    expect(() => new RtpPortPool({ host: '127.0.0.1', portMin: 40001, portMax: 40001 })).toThrow(/holds no even port/);
  });
});
