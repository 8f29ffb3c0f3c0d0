// What a real drachtio-server does to a drachtio-srf application left to itself: the reasons for the limits
// and answers in src/sip (docs/edge-connection.md). Each case shows the server's own behaviour with plain
// drachtio-srf, then the same through outdial's connection. Only under `npm run test:stack`.
import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { connectSip, MAX_EDGE_MESSAGE_BYTES } from '../../src/sip/index.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { testConfigObject } from '../support/daemon.js';
import { startSipEdgeServer, type SipEdgeServer } from '../support/sip-edge-server.js';
import { startSipUdpPeer, type SipUdpPeer } from '../support/sip-udp-peer.js';
import { until } from '../support/until.js';

useCleanup();

type Request = (uri: string, opts: object) => Promise<unknown>;

async function drachtio(): Promise<SipEdgeServer> {
  const server = await startSipEdgeServer('drachtio');
  onCleanup(() => server.stop());
  return server;
}

async function peer(): Promise<SipUdpPeer> {
  const p = await startSipUdpPeer();
  onCleanup(() => p.close());
  return p;
}

/** Plain drachtio-srf, as an application without outdial's connection would use it. */
async function plainSrf(server: SipEdgeServer): Promise<{ srf: Srf; request: Request }> {
  const srf = new Srf();
  await new Promise<void>((resolve, reject) => {
    // connect() returns nothing at runtime (its typed promise never comes): the outcome is an event.
    void srf.connect({ ...server.control });
    srf.once('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
  });
  onCleanup(async () => srf.disconnect());
  // drachtio-srf's typings miss the (uri, options) form of Srf#request.
  return { srf, request: srf.request.bind(srf) as unknown as Request };
}

async function outdialSip(server: SipEdgeServer): Promise<{ request: Request }> {
  const config = parseConfig(await testConfigObject({ carrierPort: 9, botPort: 9, overrides: { sip: { edge: 'drachtio', drachtio: server.control } } }), 'test');
  const sip = await connectSip(config, createLogger('silent'));
  onCleanup(() => sip.close());
  await until('connected', () => sip.connected());
  return { request: sip.srf.request.bind(sip.srf) as unknown as Request };
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => 'answered', (err: Error) => `failed: ${err.message}`), new Promise<string>((r) => setTimeout(() => r('no answer'), ms))]);

/** An OPTIONS with a body of `bytes`; tags of one length keep what drachtio-srf writes around it the same. */
function optionsOf(bytes: number, tag: string): object {
  return { method: 'OPTIONS', headers: { 'Content-Type': 'text/plain', 'X-Case': tag.padEnd(12, '.') }, body: 'b'.repeat(bytes) };
}

describe('drachtio-server v0.9 and an application without limits', () => {
  it(`a message over ${MAX_EDGE_MESSAGE_BYTES} bytes jams the connection: neither it nor anything after it is answered; outdial refuses it and goes on`, async () => {
    const server = await drachtio();
    const far = await peer();
    const uri = `sip:peer@127.0.0.1:${far.port};transport=udp`;

    // The size outdial's refusal names tells how much drachtio-srf writes around the body.
    const ours = await outdialSip(server);
    const probe = await settledWithin(ours.request(uri, optionsOf(20_000, 'probe')), 2000);
    const overhead = Number(/SIP message of (\d+) bytes/.exec(probe)?.[1]) - 20_000;
    expect(overhead).toBeGreaterThan(0);
    const over = MAX_EDGE_MESSAGE_BYTES + 1 - overhead;

    const plain = await plainSrf(server);
    expect(await settledWithin(plain.request(uri, optionsOf(over, 'jam')), 3000)).toBe('no answer');
    expect(await settledWithin(plain.request(uri, { method: 'OPTIONS', headers: { 'X-Case': 'after-jam' } }), 3000)).toBe('no answer');
    expect(far.requests().some((r) => r.includes('X-Case: after-jam'))).toBe(false);

    expect(await settledWithin(ours.request(uri, optionsOf(over, 'refused')), 1000)).toMatch(/^failed: SIP message of 12229 bytes/);
    expect(await settledWithin(ours.request(uri, { method: 'OPTIONS', headers: { 'X-Case': 'after-refusal' } }), 3000)).toBe('answered');
    await far.waitForRequest('OPTIONS');
    await until('the request after the refusal at the far end', () => far.requests().some((r) => r.includes('X-Case: after-refusal')));
  });

  it('headers past about 8.4 KB are dropped from the request it sends, silently; outdial refuses such a request', async () => {
    const server = await drachtio();
    const far = await peer();
    const uri = `sip:peer@127.0.0.1:${far.port};transport=udp`;
    const plain = await plainSrf(server);
    const headers: Record<string, string> = { 'X-Case': 'cut' };
    for (let i = 0; i < 4; i++) headers[`X-Part-${i}`] = String(i).repeat(2500);
    // A loaded host may take a while; what matters is that it is sent, cut.
    expect(await settledWithin(plain.request(uri, { method: 'OPTIONS', headers }), 15_000)).toBe('answered');
    const sent = await far.waitForRequest('OPTIONS');
    expect(sent).toContain('X-Part-0: ');
    expect(sent).not.toContain(`X-Part-3: ${'3'.repeat(2500)}`);

    const ours = await outdialSip(server);
    expect(await settledWithin(ours.request(uri, { method: 'OPTIONS', headers: { ...headers, 'X-Case': 'refused' } }), 1000)).toMatch(
      /^failed: SIP headers of \d+ bytes are more than the 8000 bytes/,
    );
  });

  it('OPTIONS no application routes is answered 503; with outdial connected it is answered 200', async () => {
    const server = await drachtio();
    const carrier = await peer();
    await plainSrf(server);
    expect(await carrier.request('OPTIONS', { host: '127.0.0.1', port: server.sipPort })).toMatch(/^SIP\/2\.0 503 /);

    await outdialSip(server);
    // Either connected application may be asked; keep asking until outdial's answer comes.
    await until('an OPTIONS answered 200', async () => /^SIP\/2\.0 200 /.test(await carrier.request('OPTIONS', { host: '127.0.0.1', port: server.sipPort })), 10_000, 200);
  });

  it('a new INVITE without From gets one with no user part (<sip:host:port>); outdial sends <sip:outdial@localhost>, which becomes <sip:outdial@host:port>', async () => {
    const server = await drachtio();
    const far = await peer();
    const plain = await plainSrf(server);
    await plain.request(`sip:peer@127.0.0.1:${far.port}`, { method: 'MESSAGE', headers: { 'Content-Type': 'text/plain', 'X-Case': 'no-from' }, body: 'hi' });
    await until('the MESSAGE at the far end', () => far.requests().some((r) => r.includes('X-Case: no-from')));
    const bare = far.requests().find((r) => r.includes('X-Case: no-from'))!;
    expect(/^From: (.*)$/m.exec(bare)?.[1]).toMatch(new RegExp(`^<sip:127\\.0\\.0\\.1:${server.sipPort}>;tag=`));

    await plain.request(`sip:peer@127.0.0.1:${far.port}`, { method: 'MESSAGE', headers: { From: '<sip:outdial@localhost>', 'Content-Type': 'text/plain', 'X-Case': 'with-from' }, body: 'hi' });
    await until('the second MESSAGE at the far end', () => far.requests().some((r) => r.includes('X-Case: with-from')));
    const named = far.requests().find((r) => r.includes('X-Case: with-from'))!;
    expect(/^From: (.*)$/m.exec(named)?.[1]).toMatch(new RegExp(`^<sip:outdial@127\\.0\\.0\\.1:${server.sipPort}>;tag=`));
  });
});
