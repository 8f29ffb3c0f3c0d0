// REGISTER with digest auth through drachtio-srf and the embedded edge, SIPp as the registrar: the
// challenge is answered, the binding is refreshed before the granted expiry and removed on stop.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { srfRequester, TrunkHealth } from '../../src/trunks/index.js';
import { startEdgeWithSrf, type EdgeWithSrf } from '../edge/harness.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';

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

describe('registration retries', () => {
  it('retries a failed REGISTER with growing delays, takes a 423 Min-Expires, and registers once the registrar answers', async () => {
    const { TrunkRegistration } = await import('../../src/trunks/index.js');
    const seen: { at: number; expires: string | undefined; cseq: string | undefined }[] = [];
    type Reply = { status: number; reason: string; headers?: Record<string, string> } | 'timeout';
    const replies: Reply[] = [
      { status: 503, reason: 'Service Unavailable' },
      'timeout',
      { status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': '900' } },
      { status: 200, reason: 'OK', headers: { Expires: '900' } },
    ];
    const states: string[] = [];
    const registration = new TrunkRegistration({
      uri: 'sip:127.0.0.1:5060',
      domain: 'carrier.example',
      username: 'u',
      password: 'p',
      expiresSec: 600,
      logger: createLogger('silent'),
      retryBackoff: { baseMs: 100, maxMs: 1000 },
      onChange: (state) => states.push(state),
      request: async (_uri, req) => {
        seen.push({ at: Date.now(), expires: req.headers.Expires, cseq: req.headers.CSeq });
        const reply = replies.shift() ?? { status: 200, reason: 'OK', headers: { Expires: '900' } };
        if (reply === 'timeout') return 'timeout';
        const headers: Record<string, string> = reply.headers ?? {};
        return { status: reply.status, reason: reply.reason, header: (name: string) => headers[name], fromFarEnd: true };
      },
    });
    registration.start();
    await until('registered', () => registration.state === 'registered', 5000);
    expect(states).toEqual(['registering', 'failed', 'registered']);
    expect(seen.map((s) => s.expires)).toEqual(['600', '600', '600', '900']);
    expect(seen.map((s) => s.cseq)).toEqual(['1 REGISTER', '2 REGISTER', '3 REGISTER', '4 REGISTER']);
    // Backoff 100 ms then 200 ms (less up to 20 % jitter); the 423 is answered at once.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(70);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(150);
    expect(seen[3]!.at - seen[2]!.at).toBeLessThan(100);
    expect(registration.report()).toMatchObject({ state: 'registered', expiresAt: expect.any(String) });
    expect(registration.report().lastError).toBeUndefined();
    await registration.stop(100);
    expect(registration.state).toBe('unregistered');
    expect(seen.at(-1)!.expires).toBe('0');
  });
});
