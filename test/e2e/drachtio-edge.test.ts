// `sip.edge: drachtio`: the daemon connects drachtio-srf to a drachtio-server over the wire protocol
// instead of starting its own edge. Here the far side of that connection is an EmbeddedEdge listening on
// the configured control port and secret, standing where a drachtio-server would; the call code is the
// same either way.
import { describe, expect, it } from 'vitest';
import { EmbeddedEdge } from '../../src/edge/index.js';
import { dialoutAudiocodes, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

useCleanup();

async function health(daemon: TestDaemon): Promise<{ status: number; body: any }> {
  const res = await fetch(`${daemon.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

describe('sip.edge: drachtio', () => {
  it('starts without its drachtio-server, answers 503 until it connects, then places calls through it', async () => {
    const carrier = await startE2eSipp({ scenario: 'carrier-reject', status: 486 });
    onCleanup(() => carrier.stop());
    const listener = await startNotifyListener();
    onCleanup(() => listener.close());
    const controlPort = await freePort();
    const daemon = await startTestDaemon({
      carrierPort: carrier.port,
      botPort: 9,
      overrides: { sip: { edge: 'drachtio', drachtio: { host: '127.0.0.1', port: controlPort, secret: 'wire-secret' } } },
    });
    onCleanup(() => daemon.stop());

    const before = await health(daemon);
    expect(before.status).toBe(503);
    expect(before.body.sip).toEqual({ edge: 'drachtio', connected: false });
    const refused = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230001' });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/no SIP edge is connected/);

    const server = new EmbeddedEdge({ sip: { host: '127.0.0.1', port: await freePort() }, wire: { host: '127.0.0.1', port: controlPort, secret: 'wire-secret' } });
    await server.start();
    onCleanup(() => server.close());
    await until('the daemon to connect to the drachtio control port', async () => (await health(daemon)).status === 200, 15_000, 200);

    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230001', notifyUrl: listener.url('/d') });
    expect(placed.status).toBe(200);
    const final = await listener.waitFor((n) => (n.body as any)?.status === 'failed', 10_000);
    expect(final.body).toMatchObject({ conversationId: placed.json.conversationId, reasonCode: 'busy' });
    expect((await carrier.waitForRequest('INVITE')).requestUri).toBe(`sip:+15551230001@127.0.0.1:${carrier.port}`);
  });
});
