// Liveness and readiness as an orchestrator sees them: Redis going away makes the daemon unready (no new
// dialouts sent its way) but never "dead" (no restart that would drop its live calls).
import { describe, expect, it } from 'vitest';
import { readinessOf } from '../../src/api/routes/health.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { startTestDaemon } from '../support/daemon.js';
import { freePort } from '../support/ports.js';
import { startRedis } from '../support/redis.js';
import { untilValue } from '../support/until.js';

useCleanup();

async function probe(url: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function becomes(url: string, path: string, status: number, timeoutMs = 10_000): Promise<any> {
  return (await untilValue(`${path} to answer ${status}`, () => probe(url, path), (got) => got.status === status, timeoutMs, 100)).body;
}

describe('/livez and /readyz', () => {
  it('/livez stays 200 while Redis is down; /readyz and /healthz say 503 with the reason, and recover', async () => {
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    const d = await startTestDaemon({ carrierPort: await freePort(), botPort: await freePort(), overrides: { store: { type: 'redis', url: redis.url } } });
    onCleanup(() => d.stop());
    expect(await probe(d.url, '/livez')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await becomes(d.url, '/readyz', 200);
    expect(ready).toMatchObject({ ready: true, reasons: [] });

    await redis.kill();
    const unready = await becomes(d.url, '/readyz', 503);
    expect(unready.ready).toBe(false);
    expect(unready.reasons).toHaveLength(1);
    expect(unready.reasons[0]).toMatch(/^store unavailable/);
    expect(unready.checks.store.ok).toBe(false);
    expect(unready.checks.sip.ok).toBe(true);
    expect((await probe(d.url, '/healthz')).status).toBe(503);
    // The scenario: /livez asked five times over half a second while Redis stays down.
    for (let i = 0; i < 5; i++) {
      expect((await probe(d.url, '/livez')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }

    await redis.restart();
    expect(await becomes(d.url, '/readyz', 200, 15_000)).toMatchObject({ ready: true });
    expect((await probe(d.url, '/healthz')).status).toBe(200);
  });

  it('a draining daemon is not ready: "outdial is shutting down"', async () => {
    const d = await startTestDaemon({ carrierPort: await freePort(), botPort: await freePort() });
    expect((await probe(d.url, '/readyz')).status).toBe(200);
    const stopping = d.stop(); // SIGTERM's path: draining starts at once
    expect(d.daemon.readiness()).toMatchObject({ ready: false, reasons: ['outdial is shutting down'] });
    await stopping;
  });
});

describe('readinessOf', () => {
  const up = { sipConnected: true, store: { ok: true }, media: { ok: true }, trunks: { configured: 2, up: 2 }, draining: false };

  it('is ready only when every part is usable, and lists every reason otherwise', () => {
    expect(readinessOf(up)).toMatchObject({ ready: true, reasons: [] });
    const all = readinessOf({
      sipConnected: false,
      store: { ok: false, error: 'connection refused' },
      media: { ok: false, detail: 'no free RTP port (all 400 in use)' },
      trunks: { configured: 2, up: 0 },
      draining: true,
    });
    expect(all.ready).toBe(false);
    expect(all.reasons).toEqual([
      'no SIP edge is connected',
      'store unavailable: connection refused',
      'no free RTP port (all 400 in use)',
      'all 2 trunks are down',
      'outdial is shutting down',
    ]);
    expect(readinessOf({ ...up, trunks: { configured: 0, up: 0 } }).reasons).toEqual(['no trunk is configured']);
    expect(readinessOf({ ...up, trunks: { configured: 3, up: 1 } }).ready).toBe(true);
  });
});
