import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfigObject, type SpawnedDaemon } from '../support/daemon.js';
import { freePort } from '../support/ports.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
let daemon: SpawnedDaemon | undefined;
const opened: Socket[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await stopAllSipp();
  await env?.close();
  env = undefined;
  if (daemon) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    daemon = undefined;
  }
});

/** Opens a TCP connection from `localAddress` (a loopback address), resolving once it is up or refused. */
function open(target: string, localAddress: string): Promise<Socket> {
  const [host, port] = target.split(':');
  const socket = connect({ host, port: Number(port), localAddress });
  opened.push(socket);
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

describe('SIP/TCP connection limits', () => {
  it('holds at most the configured connections per source and in total, and closes silent ones at the deadline', async () => {
    env = await startEdgeWithSrf({
      sip: { host: '127.0.0.1', port: 0, tcpLimits: { maxConnections: 25, maxConnectionsPerSource: 10, messageDeadlineMs: 600 } },
    });
    const target = env.sipTarget;
    await Promise.all(Array.from({ length: 15 }, () => open(target, '127.0.0.2')));
    // The client sees its connection up before the edge has accepted it: wait for the edge to have seen all 15.
    await until('the edge to have seen 15 connections', () => env!.edge.tcpConnections.open + env!.edge.tcpConnections.refused >= 15, 5000);
    expect(env.edge.tcpConnections.open).toBe(10);
    expect(env.edge.tcpConnections.refused).toBe(5);
    await Promise.all(Array.from({ length: 20 }, (_v, i) => open(target, `127.0.0.${3 + (i % 2)}`)));
    await until('the edge to have seen 35 connections', () => env!.edge.tcpConnections.open + env!.edge.tcpConnections.refused >= 35, 5000);
    expect(env.edge.tcpConnections.open).toBe(25);
    expect(env.edge.tcpConnections.refused).toBe(10);
    // None of them sent a message: all closed once the deadline passed.
    await until('every silent connection closed', () => env!.edge.tcpConnections.open === 0, 3000);
    expect(env.edge.tcpConnections.open).toBe(0);
  });

  it('closes a connection that trickles its message past the deadline or announces one too large', async () => {
    env = await startEdgeWithSrf({ sip: { host: '127.0.0.1', port: 0, tcpLimits: { messageDeadlineMs: 500 } } });
    const slow = await open(env.sipTarget, '127.0.0.2');
    const slowClosed = new Promise<number>((resolve) => slow.once('close', () => resolve(Date.now())));
    const started = Date.now();
    const head = 'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2;branch=z9hG4bK-slow\r\n';
    const trickle = setInterval(() => !slow.destroyed && slow.write(head[Math.floor(Math.random() * head.length)]!), 50);
    const closedAt = await slowClosed;
    clearInterval(trickle);
    expect(closedAt - started).toBeGreaterThanOrEqual(450);
    expect(closedAt - started).toBeLessThan(2000);

    const big = await open(env.sipTarget, '127.0.0.3');
    const bigClosed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.write('MESSAGE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.3;branch=z9hG4bK-big\r\nContent-Length: 1000000\r\n\r\n');
    big.write(Buffer.alloc(100_000, 'a'));
    await bigClosed;
    expect(env.edge.malformedCount).toBe(1);
  });

  it('takes a normal call over TCP while another source holds its whole share of connections', async () => {
    env = await startEdgeWithSrf({ sip: { host: '127.0.0.1', port: 0, tcpLimits: { maxConnectionsPerSource: 5 } } });
    const srf = env.srf;
    const answered = new Promise<void>((resolve, reject) => {
      srf.invite((req: any, res: any) => {
        srf.createUAS(req, res, { localSdp: offer }).then(() => resolve(), reject);
      });
    });
    await Promise.all(Array.from({ length: 8 }, () => open(env!.sipTarget, '127.0.0.2')));
    const sipp = await startSipp({ scenario: 'uac-call.xml', remote: env.sipTarget, service: 'bot1', transport: 'tcp' });
    await answered;
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('keeps the HTTP API answering while SIP/TCP is flooded past the process descriptor limit', async () => {
    const config = await testConfigObject({ carrierPort: await freePort(), botPort: await freePort() });
    // 256 descriptors: the edge's default share is a quarter of them; the flood below is more than all of them.
    daemon = await spawnDaemon(config, undefined, [], ['prlimit', '--nofile=256:256']);
    const sip = config.sip as { embedded: { port: number } };
    const target = `127.0.0.1:${sip.embedded.port}`;
    for (let source = 0; source < 10; source++) {
      await Promise.all(Array.from({ length: 30 }, () => open(target, `127.0.1.${source + 1}`)));
    }
    const health = await fetch(`${daemon.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);
    const metrics = await fetch(`${daemon.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(metrics.status).toBeLessThan(500);
  });
});
