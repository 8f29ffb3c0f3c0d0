// REGISTER with digest auth through drachtio-srf and the embedded edge, SIPp as the registrar: the
// challenge is answered, the binding is refreshed before the granted expiry and removed on stop.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { srfRequester, TrunkHealth } from '../../src/trunks/index.js';
import { startEdgeWithSrf, type EdgeWithSrf } from '../edge/harness.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';

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

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


const header = (msg: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(msg)?.[1]?.trim();

function trunkConfig(port: number, password: string) {
  return parseConfig({
    accounts: [{ name: 'acme', trunks: [{ name: 'reg', host: '127.0.0.1', port, register: { username: 'u1', password, expiresSec: 600 } }] }],
  });
}

describe('trunk registration', () => {
  it('answers the digest challenge, refreshes before the granted expiry and removes the binding on stop', async () => {
    const registrar = await startSipp({ scenario: 'uas-register-auth.xml', keys: { username: 'u1', password: 's3cret', grant: 2 }, traceMessages: true });
    const metrics = createMetrics({ defaultMetrics: false });
    health = new TrunkHealth(trunkConfig(registrar.port, 's3cret').accounts, srfRequester(env.srf), createLogger('silent'), metrics);
    health.start();
    await until('registered', () => health!.report()[0]!.registration?.state === 'registered', 5000);
    const first = health.report()[0]!.registration!.expiresAt!;
    // Granted 2 s of the 600 asked: the refresh comes after about 1 s and moves the expiry on.
    expect(Date.parse(first) - Date.now()).toBeLessThanOrEqual(2000);
    await until('refreshed', () => health!.report()[0]!.registration!.expiresAt !== first, 4000);
    expect(health.report()[0]).toMatchObject({ usable: true, registration: { state: 'registered' } });
    expect(await metrics.text()).toMatch(/outdial_trunk_registered\{account="acme",trunk="reg"\} 1/);

    await health.stop();
    expect(health.report()[0]!.registration!.state).toBe('unregistered');
    health = undefined;
    const result = await registrar.done;
    expect(result.exitCode, result.errors).toBe(0);

    const sent = result.messages.split(/^-{5,}.*$/m).filter((b) => /^REGISTER sip:/m.test(b));
    expect(sent).toHaveLength(6);
    expect(new Set(sent.map((m) => header(m, 'Call-ID'))).size).toBe(1);
    const seqs = sent.map((m) => Number(header(m, 'CSeq')!.split(' ')[0]));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(6);
    expect(sent.map((m) => header(m, 'Expires'))).toEqual(['600', '600', '600', '600', '0', '0']);
    expect(header(sent[1]!, 'Authorization')).toMatch(/^Digest .*username="u1"/);
    expect(header(sent[0]!, 'Contact')).toMatch(/^<sip:u1@127\.0\.0\.1:\d+>$/);
    expect(header(sent[0]!, 'To')).toBe(`<sip:u1@127.0.0.1>`);
  });

  it('reports a refused registration as failed, the trunk unusable, and retries', async () => {
    const registrar = await startSipp({ scenario: 'uas-register-auth.xml', keys: { username: 'u1', password: 's3cret', grant: 2 }, traceMessages: true });
    health = new TrunkHealth(trunkConfig(registrar.port, 'wrong').accounts, srfRequester(env.srf), createLogger('silent'));
    health.start();
    await until('failed', () => health!.report()[0]!.registration?.state === 'failed', 5000);
    expect(health.report()[0]).toMatchObject({ usable: false, registration: { state: 'failed', lastError: '403 Bad Credentials' } });
    expect(health.usable('acme', 'reg')).toBe(false);
  });
});
