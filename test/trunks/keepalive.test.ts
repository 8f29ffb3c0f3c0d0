// OPTIONS keepalive through drachtio-srf and the embedded edge, SIPp as the carrier: a trunk missing 3 pings
// is down (not usable), and usable again as soon as it answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { srfRequester, TrunkHealth, TrunkKeepalive, type SipRequester } from '../../src/trunks/index.js';
import { startEdgeWithSrf, type EdgeWithSrf } from '../edge/harness.js';
import { freePort } from '../support/ports.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { startDnsServer } from '../support/dns-server.js';
import { SipResolver } from '../../src/dns/index.js';

let env: EdgeWithSrf;
let health: TrunkHealth | undefined;
beforeAll(async () => {
  env = await startEdgeWithSrf();
});
afterEach(async () => {
  await health?.stop();
  health = undefined;
  await stopAllSipp();
});
afterAll(() => env.close());

describe('trunk OPTIONS keepalive', () => {
  it('marks a silent trunk down after 3 missed pings and up again once it answers', async () => {
    const port = await freePort();
    const config = parseConfig({
      accounts: [{ name: 'acme', trunks: [{ name: 'pinged', host: '127.0.0.1', port, ping: { intervalSec: 1 } }, { name: 'quiet', host: '127.0.0.1', port }] }],
    });
    const metrics = createMetrics({ defaultMetrics: false });
    health = new TrunkHealth(config.accounts, srfRequester(env.srf), createLogger('silent'), metrics);
    const started = Date.now();
    health.start();
    expect(health.usable('acme', 'pinged')).toBe(true);

    // Nobody listens on the trunk's port: three pings go unanswered.
    await until('trunk down', () => !health!.usable('acme', 'pinged'), 8000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const [pinged, quiet] = health.report();
    expect(pinged).toMatchObject({ account: 'acme', trunk: 'pinged', usable: false, ping: { up: false, intervalSec: 1 } });
    expect(pinged!.ping!.missedInARow).toBeGreaterThanOrEqual(3);
    // A trunk that is not pinged is always usable.
    expect(quiet).toEqual({ account: 'acme', trunk: 'quiet', usable: true });
    expect(await metrics.text()).toMatch(/outdial_trunk_up\{account="acme",trunk="pinged"\} 0/);

    // The carrier comes back: the next ping is answered and the trunk is used again.
    const carrier = await startSipp({ scenario: 'uas-options.xml', port, calls: 100, traceMessages: true });
    await until('trunk up again', () => health!.usable('acme', 'pinged'), 4000);
    expect(health.report()[0]).toMatchObject({ usable: true, ping: { up: true, missedInARow: 0 } });
    expect(await metrics.text()).toMatch(/outdial_trunk_up\{account="acme",trunk="pinged"\} 1/);
    const result = await carrier.stop();
    expect(result.messages).toMatch(/^OPTIONS sip:127\.0\.0\.1:\d+ SIP\/2\.0/m);
  });
});

describe('keepalive of a trunk found through DNS', () => {
  it('pings the first address SRV gives, with the domain in the Request-URI', async () => {
    const port = await freePort();
    const dns = await startDnsServer([
      { type: 'SRV', name: '_sip._udp.carrier.test', data: { priority: 10, weight: 1, port, target: 'edge.carrier.test' } },
      { type: 'A', name: 'edge.carrier.test', data: '127.0.0.1' },
    ]);
    try {
      const config = parseConfig({ accounts: [{ name: 'acme', trunks: [{ name: 'srv', host: 'carrier.test', ping: { intervalSec: 1 } }] }] });
      const resolver = new SipResolver({ servers: [dns.address] });
      const carrier = await startSipp({ scenario: 'uas-options.xml', port, calls: 100, traceMessages: true });
      health = new TrunkHealth(config.accounts, srfRequester(env.srf), createLogger('silent'), undefined, undefined, (t) => resolver.resolve(t.host, t.transport));
      health.start();
      // Two ping intervals: pings the carrier did not answer would count as missed by now.
      await new Promise((r) => setTimeout(r, 2500));
      expect(health.usable('acme', 'srv')).toBe(true);
      expect(health.report()[0]).toMatchObject({ usable: true, ping: { up: true, missedInARow: 0 } });
      const result = await carrier.stop();
      expect(result.messages).toMatch(/^OPTIONS sip:carrier\.test SIP\/2\.0/m);
    } finally {
      await dns.close();
    }
  });
});

describe('keepalive while our own SIP edge is gone', () => {
  it('sends no ping and counts no miss until the edge is back, then counts misses again', async () => {
    let connected = false;
    let sent = 0;
    const silent: SipRequester = async () => {
      sent++;
      return 'timeout';
    };
    const changes: boolean[] = [];
    const keepalive = new TrunkKeepalive({ uri: 'sip:127.0.0.1:9', intervalMs: 20, request: silent, logger: createLogger('silent'), onChange: (up) => changes.push(up), edgeConnected: () => connected });
    keepalive.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toBe(0);
    expect(keepalive.up).toBe(true);
    connected = true;
    await until('down', () => !keepalive.up, 2000);
    keepalive.stop();
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(changes).toEqual([false]);
  });
});
