// The daemon's connection to its SIP edge, on each kind of edge it may run behind (`sip.edge: drachtio`):
// the embedded edge in a process of its own always, and a real drachtio-server under `npm run test:stack`.
// What a size limit, a deadline, a lost or wedged edge and a wrong secret do to calls must not depend on
// which edge it is. docs/edge-connection.md describes the behaviour.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { metadataLimits } from '../../src/dialout/index.js';
import { createLogger } from '../../src/log/index.js';
import { connectSip, MAX_EDGE_HEADER_BYTES, MAX_EDGE_MESSAGE_BYTES } from '../../src/sip/index.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { dialoutAudiocodes, testConfigObject } from '../support/daemon.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { decodeBase64UrlJson, startLiveScene, type LiveScene } from '../support/live-call.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { edgeKindsUnderTest, startSipEdgeServer, type EdgeKind, type SipEdgeServer } from '../support/sip-edge-server.js';
import { startSipUdpPeer } from '../support/sip-udp-peer.js';
import { until } from '../support/until.js';

useCleanup();

async function edgeServer(kind: EdgeKind, options: Parameters<typeof startSipEdgeServer>[1] = {}): Promise<SipEdgeServer> {
  const server = await startSipEdgeServer(kind, options);
  onCleanup(() => server.stop());
  return server;
}

function behind(server: SipEdgeServer): Record<string, unknown> {
  return { sip: { edge: 'drachtio', drachtio: server.control } };
}

/** One call bridged to its bot at once (machineDetection disabled); the callee hangs up after `byeAfterMs` if given. */
async function scene(server: SipEdgeServer, options: { metadata?: Record<string, unknown>; byeAfterMs?: number } = {}): Promise<LiveScene> {
  const s = await startLiveScene(
    [
      {
        name: 'bridged',
        dialect: 'audiocodes',
        mode: 'disabled',
        audio: 'human',
        ...(options.metadata && { metadata: options.metadata }),
        ...(options.byeAfterMs !== undefined && { carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: options.byeAfterMs } }),
      },
    ],
    behind(server),
  );
  onCleanup(() => s.stop());
  return s;
}

async function healthz(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: await res.json() };
}

/** Metadata whose JSON is exactly `bytes` bytes of UTF-8, with multi-byte characters in it. */
function metadataOf(bytes: number): Record<string, unknown> {
  const base = { customer: 'Zoë Ångström', blob: '' };
  const room = bytes - Buffer.byteLength(JSON.stringify(base), 'utf8');
  const metadata = { ...base, blob: 'x'.repeat(room) };
  expect(Buffer.byteLength(JSON.stringify(metadata), 'utf8')).toBe(bytes);
  return metadata;
}

describe.each(edgeKindsUnderTest())('the connection to a SIP edge (%s)', (kind) => {
  it(`the largest metadata a dialout may carry (${metadataLimits.maxBytes} bytes of JSON) reaches the bot whole; its From has the user part outdial`, async () => {
    const server = await edgeServer(kind);
    const metadata = metadataOf(metadataLimits.maxBytes);
    const s = await scene(server, { metadata, byeAfterMs: 1000 });
    const call = s.calls[0]!;
    expect(await call.final()).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    const invite = call.botInvite();
    expect(invite, 'the bot was INVITEd').toBeDefined();
    expect(invite!.header('X-Dialout-Metadata')).toHaveLength(Math.ceil((metadataLimits.maxBytes * 4) / 3));
    expect(decodeBase64UrlJson(invite!.header('X-Dialout-Metadata'))).toEqual(metadata);
    expect(invite!.header('From')).toMatch(new RegExp(`^<sip:outdial@127\\.0\\.0\\.1:${server.sipPort}>;tag=`));

  });

  it(`a request of ${MAX_EDGE_MESSAGE_BYTES} bytes, or with ${MAX_EDGE_HEADER_BYTES} bytes of headers, is carried whole; one byte more is refused at once naming the limit, and the connection goes on`, async () => {
    const server = await edgeServer(kind);
    const peer = await startSipUdpPeer();
    onCleanup(() => peer.close());
    const config = parseConfig(await testConfigObject({ carrierPort: peer.port, botPort: 9, overrides: behind(server) }), 'test');
    const sip = await connectSip(config, createLogger('silent'));
    onCleanup(() => sip.close());
    await until('connected', () => sip.connected(), 10_000);
    const uri = `sip:peer@127.0.0.1:${peer.port};transport=udp`;
    // drachtio-srf's typings miss the (uri, options) form of Srf#request.
    const request = sip.srf.request.bind(sip.srf) as unknown as (uri: string, opts: object) => Promise<unknown>;
    // Every case tag has the same length, so the sizes measured with one hold for the others.
    const withBody = (n: number, tag: string) => ({ method: 'OPTIONS', headers: { 'Content-Type': 'text/plain', 'X-Case': tag.padEnd(16, '.') }, body: 'b'.repeat(n) });
    const withHeader = (n: number, tag: string) => ({ method: 'OPTIONS', headers: { 'X-Case': tag.padEnd(16, '.'), 'X-Padding': 'p'.repeat(n) } });
    const refusal = (opts: object) =>
      request(uri, opts).then(
        () => 'sent',
        (err: Error) => err.message,
      );
    const carried = async (short: string) => {
      const tag = short.padEnd(16, '.');
      await until(`the ${tag} request at the peer`, () => peer.requests().some((r) => r.includes(`X-Case: ${tag}\r\n`)), 5000);
      return peer.requests().find((r) => r.includes(`X-Case: ${tag}\r\n`))!;
    };

    // Each refusal names the size, which gives what drachtio-srf writes around the padding.
    const whole = /SIP message of (\d+) bytes is larger than the 12228 bytes/.exec(await refusal(withBody(20_000, 'probe')));
    expect(whole).not.toBeNull();
    const bodyRoom = MAX_EDGE_MESSAGE_BYTES - (Number(whole![1]) - 20_000);
    const heads = /SIP headers of (\d+) bytes are more than the 8000 bytes/.exec(await refusal(withHeader(9_000, 'probe')));
    expect(heads).not.toBeNull();
    const headerRoom = MAX_EDGE_HEADER_BYTES - (Number(heads![1]) - 9_000);

    expect(await refusal(withBody(bodyRoom, 'largest-body'))).toBe('sent');
    expect(await carried('largest-body')).toMatch(new RegExp(`\\r\\n\\r\\nb{${bodyRoom}}$`));
    expect(await refusal(withHeader(headerRoom, 'largest-headers'))).toBe('sent');
    expect(await carried('largest-headers')).toContain(`X-Padding: ${'p'.repeat(headerRoom)}\r\n`);

    const started = Date.now();
    expect(await refusal(withBody(bodyRoom + 1, 'too-large'))).toBe(`SIP message of ${MAX_EDGE_MESSAGE_BYTES + 1} bytes is larger than the ${MAX_EDGE_MESSAGE_BYTES} bytes the SIP edge accepts`);
    expect(await refusal(withHeader(headerRoom + 1, 'too-many-headers'))).toBe(`SIP headers of ${MAX_EDGE_HEADER_BYTES + 1} bytes are more than the ${MAX_EDGE_HEADER_BYTES} bytes the SIP edge sends whole`);
    expect(Date.now() - started).toBeLessThan(1000);

    // Still usable: a small request after the refused ones goes out and reaches the peer.
    expect(await refusal({ method: 'OPTIONS', headers: { 'X-Case': 'after'.padEnd(16, '.') } })).toBe('sent');
    await carried('after');
    expect(peer.requests().some((r) => r.includes('X-Case: too-'))).toBe(false);
    expect(sip.connected()).toBe(true);
  });

  it('an edge that stops answering: the call ends with its final notification, /healthz says so, and once it answers again the daemon reconnects and BYEs both legs', async () => {
    const server = await edgeServer(kind);
    const s = await scene(server);
    const call = s.calls[0]!;
    await call.bot.waitForRequest('ACK', 10_000);
    server.pause();
    const final = await call.final(20_000);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'error', reason: expect.stringMatching(/SIP edge/) });
    expect((await healthz(s.daemon.url)).body.sip).toEqual({ edge: 'drachtio', connected: false });
    expect((await dialoutAudiocodes(s.daemon.url, { bot: call.botName, target: 'sip:someone@127.0.0.1:9' })).status).toBe(503);

    server.resume();
    await until('reconnected', async () => (await healthz(s.daemon.url)).status === 200, 15_000);
    // The paused edge kept both dialogs; the new connection ends them.
    await call.carrier.waitForRequest('BYE', 10_000);
    await call.bot.waitForRequest('BYE', 10_000);
    expect(call.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
  });

  it('an edge lost mid-call: the call ends at once with its final notification; the edge restarted takes the next call', async () => {
    const server = await edgeServer(kind);
    const s = await scene(server);
    const call = s.calls[0]!;
    await call.bot.waitForRequest('ACK', 10_000);
    const lostAt = Date.now();
    await server.kill();
    const final = await call.final(10_000);
    expect(Date.now() - lostAt).toBeLessThan(3000);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'error', reason: 'SIP edge connection lost' });

    await server.restart();
    await until('reconnected', async () => (await healthz(s.daemon.url)).status === 200, 15_000);
    const carrier = await startE2eSipp({ scenario: 'carrier-reject', status: 486 });
    onCleanup(() => carrier.stop());
    const listener = await startNotifyListener();
    onCleanup(() => listener.close());
    const placed = await dialoutAudiocodes(s.daemon.url, { bot: call.botName, target: `sip:next@${carrier.address}`, notifyUrl: listener.url('/next') });
    expect(placed.status).toBe(200);
    expect((await listener.waitFor((n) => (n.body as any)?.status === 'failed', 10_000)).body).toMatchObject({ reasonCode: 'busy' });
  });

  it('answers an OPTIONS from a carrier 200 (the daemon routes OPTIONS itself)', async () => {
    const server = await edgeServer(kind);
    await scene(server);
    const peer = await startSipUdpPeer();
    onCleanup(() => peer.close());
    const response = await peer.request('OPTIONS', { host: '127.0.0.1', port: server.sipPort });
    expect(response).toMatch(/^SIP\/2\.0 200 /);
    expect(response).toMatch(/^Allow: .*INVITE/im);
  });

  it('a wrong sip.drachtio.secret: outdial start exits 1 naming the key, whether the edge is there at start or comes later', async () => {
    const server = await edgeServer(kind);
    const run = async (control: { host: string; port: number; secret: string }, whileRunning?: () => Promise<void>) => {
      const object = await testConfigObject({ carrierPort: 9, botPort: 9, overrides: { sip: { edge: 'drachtio', drachtio: control } } });
      const file = join(mkdtempSync(join(tmpdir(), 'outdial-secret-')), 'outdial.yaml');
      writeFileSync(file, stringify(object));
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      onCleanup(async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await whileRunning?.();
      const timer = new Promise<'still running'>((r) => setTimeout(() => r('still running'), 40_000).unref());
      const code = await Promise.race([exited, timer]);
      return { code, stderr: code === 1 ? stderr : `${stderr}\n(${String(code)})` };
    };

    const atStart = await run({ ...server.control, secret: 'not-the-secret' });
    expect(atStart.stderr).toMatch(/sip\.drachtio\.secret/);
    expect(atStart.code).toBe(1);

    const laterPort = await freePort();
    const later = await run({ host: '127.0.0.1', port: laterPort, secret: 'not-the-secret' }, async () => {
      // The scenario: the edge comes up 4 s after the daemon, which keeps trying to connect meanwhile.
      await new Promise((r) => setTimeout(r, 4000));
      await edgeServer(kind, { controlPort: laterPort });
    });
    expect(later.stderr).toMatch(/sip\.drachtio\.secret/);
    expect(later.code).toBe(1);
  }, 120_000);
});
