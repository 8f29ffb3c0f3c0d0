import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/domain/index.js';
import { DialoutRejected } from '../../src/dialout/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { baseUrl, basic, koreJwt, postJson, startApi, type ApiUnderTest } from './fixture.js';

let api: ApiUnderTest;
let url: string;
const acPath = '/api/v1/actions/dialout';
const korePath = (bot: string) => `/api/1.1/public/bot/${bot}/smartassist/dialout`;
const dialer = basic('dialer1', 's3cret');

beforeAll(async () => {
  api = await startApi({ tokenTtlSeconds: 1 });
  url = baseUrl(api.app);
});
afterAll(async () => {
  await api.app.close();
});
beforeEach(() => {
  api.launcher.refuseWith = undefined;
  api.acceptance.current = { ok: true };
});

describe('AudioCodes dialout', () => {
  it('answers 200 {conversationId} and hands the launcher the normalized request', async () => {
    const res = await postJson(
      `${url}${acPath}`,
      { bot: 'Bot1', target: 'tel:+15551234567', callerHost: 'acme.example', callerDisplayName: 'Acme', notifyUrl: 'https://dialer.example/n/1', machineDetection: 'detect', voicemailEndTimeoutSec: 12, answerTimeoutSec: 30, metadata: { participantName: 'Alice' } },
      { authorization: dialer },
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['conversationId']);
    expect(res.body.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const req = api.launcher.last;
    expect(req).toMatchObject({
      dialect: 'audiocodes',
      conversationId: res.body.conversationId,
      clientId: 'dialer1',
      target: 'tel:+15551234567',
      requestUri: 'sip:+15551234567@127.0.0.1:5080',
      caller: '+15550001111',
      callerHost: 'acme.example',
      callerDisplayName: 'Acme',
      notifyUrl: 'https://dialer.example/n/1',
      metadata: { participantName: 'Alice' },
      answerTimeoutMs: 30000,
      machineDetection: 'detect',
      voicemailEndTimeoutMs: 12000,
    });
    expect(req.bot.name).toBe('Bot1');
    expect(req.account.name).toBe('acme');
    expect(req.trunk?.name).toBe('carrier1');
  });

  it('gives every dialout its own conversationId', async () => {
    const a = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    const b = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(a.body.conversationId).not.toBe(b.body.conversationId);
  });

  it.each([
    [{ target: 'tel:+15551234567' }, "request must have required property 'bot'"],
    [{ bot: 'Bot1' }, "request must have required property 'target'"],
    [{ bot: 'Bot1', target: 'tel:12ab' }, 'target must be a tel: URI'],
    [{ bot: 'Bot1', target: 'http://x' }, 'target must be a tel: URI'],
    [{ bot: 'Bot1', target: 42 }, 'target must be a tel: URI'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', answerTimeoutSec: 0 }, 'answerTimeoutSec must be >= 1'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', answerTimeoutSec: 301 }, 'answerTimeoutSec must be <= 300'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', answerTimeoutSec: 'soon' }, 'answerTimeoutSec must be integer'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', machineDetection: 'maybe' }, 'machineDetection must be one of: disconnect, detect, disabled'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: 'ftp://x/y' }, 'notifyUrl must be an absolute http:// or https:// URL'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', metadata: 'x' }, 'metadata must be object'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', voicemailEndTimeoutSec: 1000 }, 'voicemailEndTimeoutSec must be <= 300'],
    [{ bot: 'Bot1', target: 'tel:+15551234567', caller: '+19990000000' }, 'caller "+19990000000" is not in dialoutAllowedCallers'],
    [{ bot: 'Bot2', target: 'tel:+15551234567' }, 'caller is required'],
    [[1, 2], 'request must be object'],
  ])('400 for %j', async (body, error) => {
    const before = api.launcher.placed.length;
    const res = await postJson(`${url}${acPath}`, body, { authorization: dialer });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(error);
    expect(api.launcher.placed.length).toBe(before);
  });

  it('400 for a body that is not JSON', async () => {
    const res = await fetch(`${url}${acPath}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: dialer }, body: '{"bot":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/JSON/i);
  });

  it.each([
    ['missing', undefined, 'missing Authorization'],
    ['wrong secret', basic('dialer1', 'nope'), 'client id or secret is wrong'],
    ['unknown client', basic('ghost', 's3cret'), 'client id or secret is wrong'],
    ['bad bearer', 'Bearer abc.def.ghi', 'bearer token'],
    ['other scheme', 'Digest x', 'must be Basic or Bearer'],
  ])('401 when credentials are %s', async (_name, authorization, error) => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, authorization ? { authorization } : {});
    expect(res.status).toBe(401);
    expect(res.body.error).toContain(error);
  });

  it('401 comes before validation: strangers learn nothing about the body', async () => {
    const res = await postJson(`${url}${acPath}`, { nonsense: true }, {});
    expect(res.status).toBe(401);
  });

  it('403 without role VAIC/BOTS/DIALOUT', async () => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: basic('norole', 'r0le') });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('VAIC/BOTS/DIALOUT');
  });

  it('scopes: by name and by tag= allow only their bots', async () => {
    const byName = basic('byname', 'n4me');
    const byTag = basic('bytag', 't4g');
    expect((await postJson(`${url}${acPath}`, { bot: 'Bot2', target: 'tel:+15551234567', caller: '+15550002222' }, { authorization: byName })).status).toBe(200);
    const denied = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: byName });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toContain('no scope for bot "Bot1"');
    expect((await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: byTag })).status).toBe(200);
    expect((await postJson(`${url}${acPath}`, { bot: 'Bot2', target: 'tel:+15551234567', caller: '+15550002222' }, { authorization: byTag })).status).toBe(403);
  });

  it('404 for an unknown bot', async () => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Nobody', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('Nobody');
  });

  it('429 and 503 from the launcher pass through with their message', async () => {
    api.launcher.refuseWith = new DialoutRejected(429, 'bot Bot1 dialoutLimitPerSecond reached');
    const limited = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(limited).toEqual({ status: 429, body: { error: 'bot Bot1 dialoutLimitPerSecond reached' } });
    api.launcher.refuseWith = new DialoutRejected(503, 'store unavailable');
    const down = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(down).toEqual({ status: 503, body: { error: 'store unavailable' } });
  });

  it('503 while dialouts are not accepted, without reaching the launcher', async () => {
    api.acceptance.current = { ok: false, status: 503, error: 'no SIP edge connected' };
    const before = api.launcher.placed.length;
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(res).toEqual({ status: 503, body: { error: 'no SIP edge connected' } });
    expect(api.launcher.placed.length).toBe(before);
  });

  it('500 with a generic error when the launcher fails unexpectedly', async () => {
    api.launcher.refuseWith = new Error('boom');
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: dialer });
    expect(res).toEqual({ status: 500, body: { error: 'internal error' } });
  });
});

describe('OAuth 2.0 client_credentials', () => {
  async function token(body: string, headers: Record<string, string> = {}, at = url) {
    const res = await fetch(`${at}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('issues a bearer token that dials out until it expires, by the API clock', async () => {
    const clock = new ManualClock(Date.now());
    const clocked = await startApi({ tokenTtlSeconds: 1, clock });
    try {
      const at = baseUrl(clocked.app);
      const t = await token('grant_type=client_credentials&client_id=dialer1&client_secret=s3cret', {}, at);
      expect(t.status).toBe(200);
      expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 1 });
      const ok = await postJson(`${at}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: `Bearer ${t.body.access_token}` });
      expect(ok.status).toBe(200);
      expect(clocked.launcher.last.clientId).toBe('dialer1');
      await clock.advance(2000);
      const expired = await postJson(`${at}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: `Bearer ${t.body.access_token}` });
      expect(expired.status).toBe(401);
      expect(expired.body.error).toBe('bearer token has expired');
      // The Kore dialect's JWT is checked at the same clock: one minute on, its one-minute token has expired.
      const jwt = await koreJwt('dialer1', 's3cret', 60);
      expect((await postJson(`${at}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: jwt })).status).toBe(200);
      await clock.advance(61_000);
      const late = await postJson(`${at}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: jwt });
      expect(late.status).toBe(401);
      expect(late.body.error).toBe('auth JWT has expired');
    } finally {
      await clocked.app.close();
    }
  });

  it('accepts client credentials in a Basic header', async () => {
    const t = await token('grant_type=client_credentials', { authorization: basic('bytag', 't4g') });
    expect(t.status).toBe(200);
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: `Bearer ${t.body.access_token}` });
    expect(res.status).toBe(200);
    expect(api.launcher.last.clientId).toBe('bytag');
  });

  it('refuses wrong credentials and other grant types', async () => {
    expect((await token('grant_type=client_credentials&client_id=dialer1&client_secret=bad')).body.error).toBe('invalid_client');
    const wrongGrant = await token('grant_type=password&client_id=dialer1&client_secret=s3cret');
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.body.error).toContain('grant_type');
  });

  it('a Kore JWT signed with the same secret is not a bearer token', async () => {
    const jwt = await koreJwt('dialer1', 's3cret', 60);
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567' }, { authorization: `Bearer ${jwt}` });
    expect(res.status).toBe(401);
  });
});

describe('Kore dialout', () => {
  it('answers 200 {sid, callId, conversationId} and normalizes every seed field', async () => {
    const auth = await koreJwt('dialer1', 's3cret', 60);
    const res = await postJson(
      `${url}${korePath('Bot1')}`,
      {
        bot: 'st-e38782ff',
        target: 'tel:911234567890',
        caller: '+15550001111',
        trunk: 'carrier2',
        timers: { noSpeechTimeoutMs: 12000, decisionTimeoutMs: 15000, toneTimeoutMs: 10000, greetingCompletionTimeoutMs: 10000 },
        timeoutInMs: 60000,
        thresholdWordCount: 4,
        machineDetection: 'detect',
        notifyurl: 'https://dialer.example/notify',
        notifyHeaders: { Accept: 'application/json', 'x-channel-type': 'X42_IVR' },
        metadata: { userName: 'John Doe' },
        amdEventsSubscription: ['amd_machine_detected', 'amd_stopped'],
      },
      { auth },
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['callId', 'conversationId', 'sid']);
    const req = api.launcher.last;
    expect(req).toMatchObject({
      dialect: 'kore',
      sid: res.body.sid,
      callId: res.body.callId,
      conversationId: res.body.conversationId,
      requestUri: 'sip:911234567890@10.0.0.2:5070',
      notifyUrl: 'https://dialer.example/notify',
      notifyHeaders: { Accept: 'application/json', 'x-channel-type': 'X42_IVR' },
      answerTimeoutMs: 60000,
      machineDetection: 'detect',
      amd: { thresholdWordCount: 4, noSpeechTimeoutMs: 12000, decisionTimeoutMs: 15000, toneTimeoutMs: 10000, greetingCompletionTimeoutMs: 10000 },
      metadata: { userName: 'John Doe' },
      amdEventsSubscription: ['amd_machine_detected', 'amd_stopped'],
    });
    expect(req.trunk?.name).toBe('carrier2');
  });

  it('applies the seed defaults when timers are left out', async () => {
    const res = await postJson(`${url}${korePath('Bot1')}`, { target: 'sip:bob@192.0.2.9:5062', notifyUrl: 'http://d/n' }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res.status).toBe(200);
    expect(api.launcher.last).toMatchObject({
      requestUri: 'sip:bob@192.0.2.9:5062',
      caller: '+15550001111',
      answerTimeoutMs: 20000,
      machineDetection: 'disabled',
      notifyUrl: 'http://d/n',
      amd: { thresholdWordCount: 9, noSpeechTimeoutMs: 5000, decisionTimeoutMs: 15000, toneTimeoutMs: 20000, greetingCompletionTimeoutMs: 2000 },
    });
    expect(api.launcher.last.amdEventsSubscription).toBeUndefined();
  });

  it.each([
    [{}, "request must have required property 'target'"],
    [{ target: 'tel:+15551234567', timers: { toneTimeoutMs: 'x' } }, 'timers.toneTimeoutMs must be integer'],
    [{ target: 'tel:+15551234567', timers: { noSpeechTimeoutMs: 10 } }, 'timers.noSpeechTimeoutMs must be >= 100'],
    [{ target: 'tel:+15551234567', timers: { speechEndThresholdMs: 50 } }, 'timers.speechEndThresholdMs must be >= 100'],
    [{ target: 'tel:+15551234567', timeoutInMs: 999999 }, 'timeoutInMs must be <= 300000'],
    [{ target: 'tel:+15551234567', machinedetection: 'on' }, 'machinedetection must be one of'],
    [{ target: 'tel:+15551234567', thresholdWordCount: 0 }, 'thresholdWordCount must be >= 1'],
    [{ target: 'tel:+15551234567', notifyurl: 'not a url' }, 'notifyurl must be an absolute http'],
    [{ target: 'tel:+15551234567', notifyHeaders: { 'bad header': 'x' } }, 'notifyHeaders must have HTTP header names as keys'],
    [{ target: 'tel:+15551234567', notifyHeaders: { 'x-a': 'a\r\nx-b: b' } }, "notifyHeaders.x-a must be header values without line breaks"],
    [{ target: 'tel:+15551234567', amdEventsSubscription: ['amd_beep'] }, 'amdEventsSubscription.0 must be one of'],
    [{ target: 'tel:+15551234567', trunk: 'carrier9' }, 'trunk "carrier9" is not a trunk of account "acme"'],
  ])('400 for %j', async (body, error) => {
    const res = await postJson(`${url}${korePath('Bot1')}`, body, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(error);
  });

  it.each([
    ['missing', async () => undefined, 'missing auth header (JWT)'],
    ['signed with the wrong secret', () => koreJwt('dialer1', 'wrong'), 'auth JWT is not valid'],
    ['expired', () => koreJwt('dialer1', 's3cret', -30), 'auth JWT has expired'],
    ['without appId', async () => (await koreJwt('', 's3cret')), 'auth JWT has no appId claim'],
    ['for an unknown client', () => koreJwt('ghost', 's3cret'), 'auth JWT is not valid'],
    ['not a JWT', async () => 'hello', 'auth JWT is malformed'],
  ])('401 when the JWT is %s', async (_name, make, error) => {
    const auth = await make();
    const res = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, auth === undefined ? {} : { auth });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe(error);
  });

  it('403 outside the client scopes, 404 for an unknown bot', async () => {
    const denied = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('byname', 'n4me') });
    expect(denied.status).toBe(403);
    const unknown = await postJson(`${url}${korePath('Nobody')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('unknown bot "Nobody"');
  });

  it('429 passes through from the launcher', async () => {
    api.launcher.refuseWith = new DialoutRejected(429, 'bot Bot1 dialoutMaxConcurrentCalls reached');
    const res = await postJson(`${url}${korePath('Bot1')}`, { target: 'tel:+15551234567' }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res).toEqual({ status: 429, body: { error: 'bot Bot1 dialoutMaxConcurrentCalls reached' } });
  });
});

describe('GET /api/v1/calls/:conversationId', () => {
  const record: CallRecord = {
    conversationId: 'a2b9d0f4-0000-4000-8000-000000000001',
    dialect: 'audiocodes',
    clientId: 'dialer1',
    bot: 'Bot1',
    account: 'acme',
    target: 'tel:+15551234567',
    requestUri: 'sip:+15551234567@127.0.0.1:5080',
    caller: '+15550001111',
    status: 'failed',
    reasonCode: 'busy',
    reason: 'SIP ;cause=486 ;text="Busy Here"',
    sipStatus: 486,
    createdAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:02.000Z',
    ringDurationMs: 1500,
    connectDurationMs: 2000,
    machineDetection: 'disabled',
    amdEvents: [],
    notificationsQueued: 1,
  };

  it('returns the record to a client whose scope covers the bot', async () => {
    api.records.set(record.conversationId, record);
    const res = await fetch(`${url}/api/v1/calls/${record.conversationId}`, { headers: { authorization: dialer } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(record);
    const viaKore = await fetch(`${url}/api/v1/calls/${record.conversationId}`, { headers: { auth: await koreJwt('bytag', 't4g') } });
    expect(viaKore.status).toBe(200);
  });

  it('404 for an unknown call and for a call outside the client scopes; 401 without credentials', async () => {
    api.records.set(record.conversationId, record);
    expect((await fetch(`${url}/api/v1/calls/nope`, { headers: { authorization: dialer } })).status).toBe(404);
    expect((await fetch(`${url}/api/v1/calls/${record.conversationId}`, { headers: { authorization: basic('byname', 'n4me') } })).status).toBe(404);
    expect((await fetch(`${url}/api/v1/calls/${record.conversationId}`)).status).toBe(401);
  });
});
