import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const withTrunk = (fields: Record<string, unknown>) => ({ accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: '127.0.0.1', ...fields }] }] });

function problem(fields: Record<string, unknown>): string {
  try {
    parseConfig(withTrunk(fields), 'cfg.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('accounts[].trunks[] carrier keys', () => {
  it('takes the whole shape of the documented example, with defaults for what is left out', () => {
    const cfg = parseConfig(
      withTrunk({
        priority: 0, weight: 1, failoverOn: [408, 500, 502, 503, 504], maxCallsPerSecond: 10, maxConcurrentCalls: 200,
        ping: { intervalSec: 30 }, register: { username: 'u', password: 'p', expiresSec: 600 },
        headers: { 'P-Asserted-Identity': '<sip:{caller}@carrier.example>' }, fromHost: 'carrier.example', privacy: 'id',
      }),
    );
    const t = cfg.accounts[0]!.trunks[0]!;
    expect(t).toMatchObject({ maxCallsPerSecond: 10, ping: { intervalSec: 30 }, register: { expiresSec: 600 }, privacy: 'id', fromHost: 'carrier.example' });
    const bare = parseConfig(withTrunk({})).accounts[0]!.trunks[0]!;
    expect(bare.priority).toBeUndefined();
    expect(bare.weight).toBeUndefined();
    expect(bare).toMatchObject({ maxCallsPerSecond: 0, maxConcurrentCalls: 0, headers: {}, privacy: 'none' });
    expect(bare.ping).toBeUndefined();
    expect(bare.register).toBeUndefined();
    expect(parseConfig(withTrunk({ register: { username: 'u', password: 'p' } })).accounts[0]!.trunks[0]!.register!.expiresSec).toBe(600);
  });

  it('refuses bad values, naming the key', () => {
    expect(problem({ failoverOn: [486] })).toMatch(/accounts\[0\]\.trunks\[0\]\.failoverOn\[0\]: is the callee answering/);
    expect(problem({ failoverOn: [603] })).toMatch(/failoverOn\[0\]/);
    expect(problem({ failoverOn: [200] })).toMatch(/failoverOn\[0\]/);
    expect(problem({ weight: -1 })).toMatch(/trunks\[0\]\.weight/);
    expect(problem({ priority: 1.5 })).toMatch(/trunks\[0\]\.priority/);
    expect(problem({ maxCallsPerSecond: -2 })).toMatch(/trunks\[0\]\.maxCallsPerSecond/);
    expect(problem({ ping: { intervalSec: 0 } })).toMatch(/trunks\[0\]\.ping\.intervalSec/);
    expect(problem({ register: { username: 'u', password: 'p', expiresSec: 5 } })).toMatch(/register\.expiresSec/);
    expect(problem({ privacy: 'full' })).toMatch(/trunks\[0\]\.privacy/);
    expect(problem({ fromHost: 'bad host' })).toMatch(/trunks\[0\]\.fromHost: must be a host name/);
  });

  it('refuses headers outdial writes itself, bad names, line breaks and unknown placeholders', () => {
    expect(problem({ headers: { From: 'x' } })).toMatch(/headers\.From: is written by outdial itself/);
    expect(problem({ headers: { 'call-id': 'x' } })).toMatch(/headers\.call-id: is written by outdial/);
    expect(problem({ headers: { 'Bad Name': 'x' } })).toMatch(/headers\.Bad Name: must be a SIP header name/);
    expect(problem({ headers: { 'X-A': 'one\r\nVia: evil' } })).toMatch(/headers\.X-A: must be a header value without line breaks/);
    expect(problem({ headers: { 'P-Charge-Info': '<sip:{callerid}@x>' } })).toMatch(/headers\.P-Charge-Info: unknown placeholder \{callerid\}/);
  });

  it('refuses two trunks of one account with the same name', () => {
    expect(() => parseConfig({ accounts: [{ name: 'a', trunks: [{ name: 't', host: 'h1' }, { name: 't', host: 'h2' }] }] })).toThrow(
      /accounts\[0\]\.trunks\[1\]\.name: duplicate trunk name "t"/,
    );
  });
});

describe('an account that ranks its trunks', () => {
  it('needs no default trunk for tel: targets; one that ranks none still does', async () => {
    const { routeTarget } = await import('../../src/dialout/index.js');
    const ranked = parseConfig({ accounts: [{ name: 'a', trunks: [{ name: 'x', host: 'h1', priority: 0 }, { name: 'y', host: 'h2', priority: 0 }] }] }).accounts[0]!;
    expect(routeTarget('tel:+15551234567', ranked).trunk?.name).toBe('x');
    const unranked = parseConfig({ accounts: [{ name: 'a', trunks: [{ name: 'x', host: 'h1' }, { name: 'y', host: 'h2' }] }] }).accounts[0]!;
    expect(() => routeTarget('tel:+15551234567', unranked)).toThrow(/has no default trunk/);
  });
});
