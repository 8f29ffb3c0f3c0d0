// The inbound door's pure rules: digest answers, X-AMD-* headers, source allow-lists, route matching and
// the config of inbound routes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { DestinationPolicy } from '../../src/notify/destination-policy.js';
import { amdSettingsFromHeaders, DigestAuthenticator, InboundRoutes, parseDigestHeader, requestUser, SourceAllowList } from '../../src/inbound/index.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization a client computes from a challenge (RFC 2617, qop=auth). */
function answer(challenge: string, user: string, password: string, uri = 'sip:amd@127.0.0.1', nc = '00000001', cnonce = 'abc123'): string {
  const { realm, nonce } = parseDigestHeader(challenge)!;
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`INVITE:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

describe('digest authentication of inbound INVITEs', () => {
  it('challenges an INVITE without credentials and accepts the right answer once', () => {
    const auth = new DigestAuthenticator({ username: 'dialer', password: 's3cret', realm: 'outdial' });
    expect(auth.verify('INVITE', undefined)).toEqual({ ok: false, why: 'missing' });
    const challenge = auth.challenge();
    expect(challenge).toMatch(/^Digest realm="outdial", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    const authorization = answer(challenge, 'dialer', 's3cret');
    expect(auth.verify('INVITE', authorization)).toEqual({ ok: true });
    // A captured answer replayed on a new INVITE is refused.
    expect(auth.verify('INVITE', authorization)).toMatchObject({ ok: false, why: 'refused', detail: 'this Authorization was already used' });
  });

  it('refuses a wrong password, a wrong user and a nonce it did not issue', () => {
    const auth = new DigestAuthenticator({ username: 'dialer', password: 's3cret', realm: 'outdial' });
    expect(auth.verify('INVITE', answer(auth.challenge(), 'dialer', 'guess'))).toMatchObject({ ok: false, why: 'refused', detail: 'wrong credentials for user "dialer"' });
    expect(auth.verify('INVITE', answer(auth.challenge(), 'mallory', 's3cret'))).toMatchObject({ ok: false, why: 'refused' });
    const other = new DigestAuthenticator({ username: 'dialer', password: 's3cret', realm: 'outdial' });
    expect(auth.verify('INVITE', answer(other.challenge(), 'dialer', 's3cret'))).toMatchObject({ ok: false, why: 'refused', detail: 'nonce not issued here' });
    expect(auth.verify('INVITE', 'Basic ZGlhbGVyOnMzY3JldA==')).toMatchObject({ ok: false, why: 'refused' });
  });

  it('asks again (stale) for a right answer on an expired nonce', () => {
    let now = 1_000_000;
    const auth = new DigestAuthenticator({ username: 'dialer', password: 's3cret', realm: 'outdial' }, 60_000, () => now);
    const authorization = answer(auth.challenge(), 'dialer', 's3cret');
    now += 61_000;
    expect(auth.verify('INVITE', authorization)).toEqual({ ok: false, why: 'stale' });
    expect(auth.challenge(true)).toMatch(/, stale=true$/);
  });
});

describe('X-AMD-* headers', () => {
  it('set the timers and threshold they name, in any case', () => {
    expect(amdSettingsFromHeaders({ 'x-amd-decision-timeout-ms': '8000', 'X-AMD-Threshold-Word-Count': ' 6 ', via: 'x' })).toEqual({
      ok: true,
      settings: { decisionTimeoutMs: 8000, thresholdWordCount: 6 },
    });
  });

  it('refuse an unknown X-AMD-* header and a value out of range, naming them', () => {
    expect(amdSettingsFromHeaders({ 'x-amd-decision-timout-ms': '8000' })).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown header x-amd-decision-timout-ms; outdial reads X-AMD-Threshold-Word-Count, /) });
    expect(amdSettingsFromHeaders({ 'x-amd-no-speech-timeout-ms': '99' })).toEqual({ ok: false, error: 'X-AMD-No-Speech-Timeout-Ms must be an integer 500–60000, got "99"' });
    expect(amdSettingsFromHeaders({ 'x-amd-tone-timeout-ms': '1e4' })).toMatchObject({ ok: false });
  });
});

describe('source allow-list', () => {
  it('takes addresses and CIDR blocks of both families, and IPv4 peers seen as IPv4-mapped IPv6', () => {
    const list = new SourceAllowList(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(list.allows('10.20.30.40')).toBe(true);
    expect(list.allows('::ffff:10.1.1.1')).toBe(true);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('2001:db8::1')).toBe(true);
    expect(list.allows('127.0.0.1')).toBe(false);
    expect(list.allows('not an address')).toBe(false);
  });
});

describe('inbound routes', () => {
  const config = parseConfig({
    accounts: [{ name: 'acme' }],
    bots: [{ name: 'Bot1', account: 'acme', sipUri: 'sip:bot@127.0.0.1:5090' }],
    inbound: [
      { name: 'vip', match: { user: '^amd-vip' }, machineDetection: 'detect', actionHook: 'http://127.0.0.1:7000/vip', bot: 'Bot1', timers: { decisionTimeoutMs: 9000 } },
      { name: 'any-amd', match: { user: '^amd' }, machineDetection: 'disconnect', actionHook: 'http://127.0.0.1:7000/amd', thresholdWordCount: 7 },
    ],
  });

  it('the first route whose pattern matches the Request-URI user takes the INVITE', () => {
    const routes = new InboundRoutes(config);
    expect(routes.match(requestUser('sip:amd-vip-1@outdial.example'))?.name).toBe('vip');
    expect(routes.match(requestUser('sip:amd-2@outdial.example;transport=udp'))?.name).toBe('any-amd');
    expect(routes.match(requestUser('sip:sales@outdial.example'))).toBeUndefined();
    expect(routes.match(requestUser('sip:outdial.example'))).toBeUndefined();
    expect(requestUser('sip:amd%2D3@h')).toBe('amd-3');
    expect(requestUser('tel:+15551234567;phone-context=x')).toBe('+15551234567');
  });

  it("fills the route's AMD settings from its timers and threshold over the defaults", () => {
    const [vip, any] = new InboundRoutes(config).all;
    expect(vip!.amd).toMatchObject({ decisionTimeoutMs: 9000, thresholdWordCount: 9, noSpeechTimeoutMs: 5000 });
    expect(vip!.bot?.name).toBe('Bot1');
    expect(any!.amd).toMatchObject({ thresholdWordCount: 7, decisionTimeoutMs: 15000 });
  });

  it('config refuses an unknown bot, a pattern that is no regular expression, a bad source and a duplicate name', () => {
    const route = { name: 'r', match: { user: '^a' }, machineDetection: 'disconnect', actionHook: 'http://127.0.0.1:7000/a' };
    expect(() => parseConfig({ inbound: [{ ...route, bot: 'Nobody' }] })).toThrow(/inbound\[0\]\.bot: unknown bot "Nobody"/);
    expect(() => parseConfig({ inbound: [{ ...route, match: { user: '([' } }] })).toThrow(/inbound\[0\]\.match\.user: is not a regular expression/);
    expect(() => parseConfig({ inbound: [{ ...route, allowedSources: ['10.0.0.0/33'] }] })).toThrow(/prefix length outside 0–32/);
    expect(() => parseConfig({ inbound: [route, route] })).toThrow(/duplicate inbound route name "r"/);
    expect(() => parseConfig({ inbound: [{ ...route, actionHook: 'ftp://x/y' }] })).toThrow(/inbound\[0\]\.actionHook/);
    expect(() => parseConfig({ inbound: [{ ...route, machineDetection: 'maybe' }] })).toThrow(/inbound\[0\]\.machineDetection/);
  });

  it("checks each route's actionHook against the notification destination policy, naming the key", async () => {
    const hooks = (urls: string[]) =>
      new InboundRoutes(
        parseConfig({
          inbound: urls.map((actionHook, i) => ({ name: `r${i}`, match: { user: `^r${i}` }, machineDetection: 'disconnect', actionHook })),
        }),
      );
    expect(await hooks(['http://127.0.0.1:7000/amd', 'http://10.1.2.3/amd']).actionHookProblems(new DestinationPolicy())).toEqual([]);
    const problems = await hooks(['http://127.0.0.1:7000/amd', 'http://169.254.169.254/latest']).actionHookProblems(new DestinationPolicy());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^inbound\[1\]\.actionHook .*169\.254\.169\.254/);
    // An operator list in force: only what it names.
    expect(await hooks(['http://127.0.0.1:7000/amd']).actionHookProblems(new DestinationPolicy(['10.0.0.0/8']))).toEqual([expect.stringMatching(/^inbound\[0\]\.actionHook /)]);
  });
});
