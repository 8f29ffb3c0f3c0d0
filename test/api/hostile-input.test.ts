// Hostile dialouts: every field that reaches SIP or an outgoing HTTP request is checked against what it
// lands in, and refused with a 400 naming it before a call is placed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { baseUrl, basic, koreJwt, postJson, startApi, testConfig, type ApiUnderTest } from './fixture.js';

const acPath = '/api/v1/actions/dialout';
const korePath = (bot: string) => `/api/1.1/public/bot/${bot}/smartassist/dialout`;
const dialer = basic('dialer1', 's3cret');

let api: ApiUnderTest;
let url: string;
/** The same API under an operator who lists what tenants may reach. */
let locked: ApiUnderTest;
let lockedUrl: string;

beforeAll(async () => {
  api = await startApi();
  url = baseUrl(api.app);
  const raw = {
    accounts: [
      { name: 'acme', allowedTargets: ['carrier.example', '*.pbx.example', '192.0.2.0/24'], trunks: [{ name: 'carrier1', host: '127.0.0.1', port: 5080, default: true }] },
    ],
    bots: [{ name: 'Bot1', account: 'acme', sipUri: 'sip:bot1@127.0.0.1:5090', dialoutAllowedCallers: ['+15550001111'] }],
    clients: [{ id: 'dialer1', secret: 's3cret', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] }],
    notifications: { allowedDestinations: ['10.0.0.0/8', 'dialer.example'] },
  };
  locked = await startApi({ config: parseConfig(raw) });
  lockedUrl = baseUrl(locked.app);
});
afterAll(async () => {
  await api.app.close();
  await locked.app.close();
});

/** The config a parsed config came from, near enough to parse again with changes. */
function rawOf(config: typeof testConfig): Record<string, unknown> {
  return { accounts: config.accounts, bots: config.bots, clients: config.clients };
}

async function refused(body: Record<string, unknown>, field: string, target = url): Promise<string> {
  const placed = (target === url ? api : locked).launcher.placed.length;
  const res = await postJson(`${target}${acPath}`, { bot: 'Bot1', ...body }, { authorization: dialer });
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatch(new RegExp(`^${field}\\b`));
  expect((target === url ? api : locked).launcher.placed.length).toBe(placed);
  return res.body.error as string;
}

describe('SIP header injection through the caller id', () => {
  it('refuses a callerHost that would end the From header and add P-Asserted-Identity', async () => {
    await refused({ target: 'tel:+15551234567', callerHost: 'h.example>\r\nP-Asserted-Identity: <sip:+18885550000@carrier.example>\r\nX-Pad: <x' }, 'callerHost');
  });

  it.each([
    ['callerHost', 'h.example>'],
    ['callerHost', 'a b.example'],
    ['callerHost', '127.1'],
    ['callerHost', '0x7f000001'],
    ['callerDisplayName', 'Acme\r\nX-Evil: 1'],
    ['callerDisplayName', 'Acme\u0000'],
    ['callerDisplayName', 'Acme\u0085'],
  ])('refuses %s %j', async (field, value) => {
    const error = await refused({ target: 'tel:+15551234567', [field]: value }, field);
    if (value !== 'h.example>' && !value.includes(' ') && field === 'callerDisplayName') expect(error).toContain('control characters');
  });

  it('checks caller against the RFC 3261 user grammar even when any caller is allowed', async () => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot3', target: 'sip:bob@192.0.2.9', caller: 'alice>\r\nRoute: <sip:evil.example>' }, { authorization: dialer });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^caller must not contain control characters/);
    const angle = await postJson(`${url}${acPath}`, { bot: 'Bot3', target: 'sip:bob@192.0.2.9', caller: 'alice>' }, { authorization: dialer });
    expect(angle.status).toBe(400);
    expect(angle.body.error).toMatch(/^caller must be the user part of a SIP URI/);
  });

  it('takes display names with quotes and backslashes, and hosts of every RFC 3261 form', async () => {
    for (const callerHost of ['acme.example', '192.0.2.1', '[2001:db8::1]', 'pbx-1.acme.example.']) {
      const res = await postJson(
        `${url}${acPath}`,
        { bot: 'Bot1', target: 'tel:+15551234567', callerHost, callerDisplayName: 'Acme "Sales" \\ Ünïcode' },
        { authorization: dialer },
      );
      expect(res.status, `${callerHost}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(api.launcher.last.callerDisplayName).toBe('Acme "Sales" \\ Ünïcode');
    }
  });
});

describe('sip: targets', () => {
  it.each([
    ['sip:x@169.254.169.254', 'link-local'],
    ['sip:x@[fe80::1]:5060', 'link-local'],
    ['sip:x@0.0.0.0', 'unspecified'],
    ['sip:x@224.0.0.1', 'multicast'],
    ['sips:x@192.0.2.9', 'sips: URI, which needs SIP over TLS'],
    ['sip:x@192.0.2.9?X-Injected=1&Route=%3Csip:evil.example%3E', 'must not carry URI headers'],
    ['sip:x@192.0.2.9;maddr=169.254.169.254', 'must not carry maddr'],
    ['sip:x@192.0.2.9;transport=tls', 'transport=tls is not one outdial speaks'],
    ['sip:x:secret@192.0.2.9', 'must not carry a password'],
    ['sip:x@127.1', 'not a host name'],
    ['sip:x%zz@192.0.2.9', 'not an RFC 3261 user'],
    ['sip:x@192.0.2.9\u0000', 'control characters'],
  ])('refuses %s', async (target, why) => {
    const error = await refused({ target }, 'target');
    expect(error).toContain(why);
  });

  it('takes sips: and transport=tls where the SIP edge has TLS (a drachtio-server), still under the destination rules', async () => {
    const secure = await startApi({ config: parseConfig({ ...rawOf(testConfig), sip: { edge: 'drachtio' } }) });
    try {
      const secureUrl = baseUrl(secure.app);
      for (const [target, uri] of [
        ['sips:x@192.0.2.9', 'sips:x@192.0.2.9'],
        ['sip:x@192.0.2.9:5071;transport=TLS', 'sip:x@192.0.2.9:5071;transport=tls'],
      ]) {
        const res = await postJson(`${secureUrl}${acPath}`, { bot: 'Bot1', target }, { authorization: dialer });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(secure.launcher.last.requestUri).toBe(uri);
      }
      const res = await postJson(`${secureUrl}${acPath}`, { bot: 'Bot1', target: 'sips:x@169.254.169.254' }, { authorization: dialer });
      expect(res.status).toBe(400);
      expect(res.body.error).toContain('link-local');
    } finally {
      await secure.app.close();
    }
  });

  it('writes the Request-URI from the parsed parts, non-ASCII escaped', async () => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'SIP:Jürgen Ω@Carrier.Example:5070;Transport=TCP;user=phone' }, { authorization: dialer });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(api.launcher.last.requestUri).toBe('sip:J%C3%BCrgen%20%CE%A9@carrier.example:5070;transport=tcp;user=phone');
  });

  it('lets loopback and private hosts through by default (outdial usually runs beside its carrier and dialer)', async () => {
    for (const target of ['sip:callee@127.0.0.1:5080', 'sip:callee@10.1.2.3']) {
      const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target }, { authorization: dialer });
      expect(res.status, target).toBe(200);
    }
  });

  it("under the account's allowedTargets, only listed domains and ranges are reached", async () => {
    for (const target of ['sip:a@carrier.example', 'sip:a@edge.pbx.example:5070', 'sip:a@192.0.2.77']) {
      const res = await postJson(`${lockedUrl}${acPath}`, { bot: 'Bot1', target }, { authorization: dialer });
      expect(res.status, `${target}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    for (const target of ['sip:a@127.0.0.1:22', 'sip:a@other.example', 'sip:a@pbx.example.evil.example', 'sip:a@198.51.100.1']) {
      const error = await refused({ target }, 'target', lockedUrl);
      expect(error).toContain('not in the allowed destinations');
    }
    // tel: targets go through the operator's own trunk, whatever the list says.
    expect((await postJson(`${lockedUrl}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer })).status).toBe(200);
  });
});

describe('notifyUrl', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/x', 'link-local'],
    ['http://0.0.0.0:8080/x', 'unspecified'],
    ['http://0/x', 'unspecified'],
    ['http://[fe80::1]/x', 'link-local'],
    ['http://[::]/x', 'unspecified'],
    ['http://224.0.0.1/x', 'multicast'],
    ['http://user:pw@dialer.example/notify', 'must not carry user:password@'],
    ['http://dialer.example/\u0000notify', 'control characters'],
  ])('refuses %s by default', async (notifyUrl, why) => {
    const error = await refused({ target: 'tel:+15551234567', notifyUrl }, 'notifyUrl');
    expect(error).toContain(why);
  });

  it('takes loopback and private listeners by default', async () => {
    for (const notifyUrl of ['http://127.0.0.1:7000/n', 'http://localhost:7000/n', 'http://10.0.0.5/n', 'https://dialer.example/n']) {
      const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl }, { authorization: dialer });
      expect(res.status, notifyUrl).toBe(200);
    }
  });

  it('under notifications.allowedDestinations, every spelling of loopback is refused', async () => {
    for (const notifyUrl of ['http://127.0.0.1:7000/n', 'http://127.1:7000/n', 'http://0x7f000001/n', 'http://[::ffff:127.0.0.1]/n', 'http://[::1]/n', 'http://2130706433/n', 'http://localhost/n']) {
      const error = await refused({ target: 'tel:+15551234567', notifyUrl }, 'notifyUrl', lockedUrl);
      expect(error, notifyUrl).toContain('not an allowed destination');
    }
    for (const notifyUrl of ['http://10.20.30.40:7000/n', 'https://dialer.example/n']) {
      const res = await postJson(`${lockedUrl}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl }, { authorization: dialer });
      expect(res.status, notifyUrl).toBe(200);
    }
  });
});

describe('Kore notifyHeaders that could never be sent', () => {
  const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, 'v']));
  it.each([
    [{ 'x-a': 'a\u0000b' }, 'notifyHeaders.x-a must be visible ASCII'],
    [{ 'x-a': 'Zürich' }, 'notifyHeaders.x-a must be visible ASCII'],
    [{ 'x-a': '€' }, 'notifyHeaders.x-a must be visible ASCII'],
    [{ Expect: '100-continue' }, 'notifyHeaders.Expect is a header outdial cannot send'],
    [{ Connection: 'upgrade' }, 'notifyHeaders.Connection is a header outdial cannot send'],
    [{ 'Transfer-Encoding': 'chunked' }, 'notifyHeaders.Transfer-Encoding'],
    [{ Host: 'evil.example' }, 'notifyHeaders.Host'],
    [{ 'x-a': 'x'.repeat(2000) }, 'at most 1024 characters'],
    [many, 'notifyHeaders must hold at most 20 headers'],
  ])('400 for %j', async (notifyHeaders, error) => {
    const res = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567', notifyHeaders }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(error);
  });

  it('400 for a notifyurl with user:password@', async () => {
    const res = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567', notifyurl: 'https://u:p@dialer.example/n' }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('notifyUrl must not carry user:password@');
  });
});

describe('metadata bounds', () => {
  it('400 naming metadata for metadata nested 40,000 deep, and the API stays up', async () => {
    const deep = `{"bot":"Bot1","target":"tel:+15551234567","metadata":${'{"a":'.repeat(40000)}1${'}'.repeat(40000)}}`;
    const res = await fetch(`${url}${acPath}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: dialer }, body: deep });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('metadata must not be nested deeper than 32 levels');
    expect((await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer })).status).toBe(200);
  });

  it('takes 4,096 bytes of metadata JSON and refuses one byte more', async () => {
    const sized = (bytes: number) => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) });
    expect(Buffer.byteLength(JSON.stringify(sized(4096)))).toBe(4096);
    const ok = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', metadata: sized(4096) }, { authorization: dialer });
    expect(ok.status).toBe(200);
    const big = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', metadata: sized(4097) }, { authorization: dialer });
    expect(big.status).toBe(400);
    expect(big.body.error).toBe('metadata must be at most 4096 bytes as JSON (it is 4097)');
  });
});

describe('Kore JWT lifetime', () => {
  it('401 for a JWT without exp, and for one that expires further ahead than auth.koreJwtMaxLifetimeSec', async () => {
    const noExp = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('dialer1', 's3cret', null) });
    expect(noExp).toEqual({ status: 401, body: { error: 'auth JWT has no exp claim (it must expire)' } });
    expect(testConfig.auth.koreJwtMaxLifetimeSec).toBe(3600);
    const forever = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('dialer1', 's3cret', 365 * 24 * 3600) });
    expect(forever.status).toBe(401);
    expect(forever.body.error).toContain('expires too far ahead');
    const hour = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('dialer1', 's3cret', 3500) });
    expect(hour.status).toBe(200);
  });
});

describe('/oauth/token throttling', () => {
  async function token(id: string, secret: string) {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${id}&client_secret=${secret}`,
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
  }

  it('after 10 failures in a minute a client id gets 429 with Retry-After, even with the right secret; others are not held', async () => {
    for (let i = 0; i < 10; i++) expect((await token('bytag', `guess${i}`)).status).toBe(401);
    const held = await token('bytag', 't4g');
    expect(held.status).toBe(429);
    expect(Number(held.retryAfter)).toBeGreaterThan(0);
    expect(Number(held.retryAfter)).toBeLessThanOrEqual(60);
    expect(held.body.error_description).toContain('too many failed attempts for client "bytag"');
    expect((await token('dialer1', 's3cret')).status).toBe(200);
  });
});

describe('bodies a route cannot read', () => {
  // The vendor document's own sample: curl --data-raw '{…}' -H 'Format: application/json', so curl sends
  // Content-Type: application/x-www-form-urlencoded with a JSON body.
  const sample = {
    bot: 'st-e38782ff-0d89-52e9-5678769a49fdexxxx',
    target: 'tel:911234567890',
    caller: '+15550001111',
    trunk: 'carrier1',
    timers: { noSpeechTimeoutMs: 12000, decisionTimeoutMs: 15000, toneTimeoutMs: 20000, greetingCompletionTimeoutMs: 10000 },
    timeoutInMs: 60000,
    thresholdWordCount: 4,
    machineDetection: 'detect',
    notifyurl: 'https://de8a-115-114-88-222.ngrok-free.app/notify',
    notifyHeaders: { Accept: 'application/json', 'Content-Type': 'application/json', 'x-channel-type': 'X42_IVR', 'event-type': 'x42-ivr-voice-voice-interactions' },
    metadata: { jobPosition: 'Software Engineer', userName: 'John Doe', companyName: 'abc corporation', jobLocation: 'USA' },
  };

  it.each([['application/x-www-form-urlencoded'], [undefined], ['text/plain']])('Kore takes the vendor sample sent as %s', async (contentType) => {
    const headers: Record<string, string> = { format: 'application/json', auth: await koreJwt('dialer1', 's3cret') };
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(`${url}${korePath('Bot1')}`, { method: 'POST', headers, body: JSON.stringify(sample) });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(api.launcher.last).toMatchObject({ dialect: 'kore', conversationId: body.conversationId, notifyUrl: sample.notifyurl, metadata: sample.metadata });
  });

  it('Kore says the body is not JSON instead of naming a missing field', async () => {
    const res = await fetch(`${url}${korePath('Bot1')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', auth: await koreJwt('dialer1', 's3cret') },
      body: 'target=tel:+15551234567',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatch(/^request body is not JSON \(Content-Type: application\/x-www-form-urlencoded\)/);
  });

  it('AudioCodes says which content type it wants', async () => {
    const res = await fetch(`${url}${acPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: dialer },
      body: 'bot=Bot1&target=tel:+15551234567',
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error).toBe('request body must be JSON (Content-Type: application/json), not application/x-www-form-urlencoded');
  });
});
