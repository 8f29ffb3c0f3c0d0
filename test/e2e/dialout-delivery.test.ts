// The dialout path around the call over a real daemon: notification retries, the bot's admission limits
// (429, and the slot coming back when the call ends), /metrics, and requests refused before any INVITE.
import { describe, expect, it } from 'vitest';
import { BASIC_AUTH, dialoutAudiocodes, dialoutKore, getCall } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { allSigned, bodies, callSetup, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';
import { untilValue } from '../support/until.js';

useCleanup();
const listener = useNotifyListener();

const TARGET = 'tel:+15551234567';

async function metricValue(url: string, name: string, labels: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('notification delivery', () => {
  it('delivers answered and completed once each, in order, when the notifyUrl fails twice with 500 first', async () => {
    const { daemon } = await callSetup(
      { scenario: 'carrier-answer-audio-bye', audio: 'human', ringMs: 200, byeAfterMs: 1000 },
      { bot: { scenario: 'bot-answer', audio: 'bot' } },
    );
    const path = notifyPath();
    listener.plan(path, [{ status: 500 }, { status: 500 }]);
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, notifyUrl: listener.url(path) });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;

    const delivered = await deliveredOn(listener, path, 2, 20_000);
    expect(bodies(delivered).map((b) => [b.conversationId, b.status])).toEqual([
      [conversationId, 'answered'],
      [conversationId, 'completed'],
    ]);
    expect(bodies(delivered)[1]).toMatchObject({ reasonCode: 'client-disconnected' });
    // The two failed attempts were the answered notification; it was not sent again once delivered.
    const all = listener.requests(path);
    expect(all.map((n) => [n.answeredStatus, (n.body as { status: string }).status])).toEqual([
      [500, 'answered'],
      [500, 'answered'],
      [200, 'answered'],
      [200, 'completed'],
    ]);
    expect(all[0]!.rawBody).toBe(all[2]!.rawBody);
    expect(allSigned(all)).toBe(true);
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toMatch(/^outdial_notification_retries_total 2$/m);
    expect(await metricValue(daemon.url, 'outdial_notification_deliveries_total', 'result="delivered"')).toBe(2);
  });
});

describe('admission limits', () => {
  it('answers 429 at dialoutMaxConcurrentCalls, and takes a dialout again once the call ended', async () => {
    const { carrier, daemon } = await callSetup({ scenario: 'carrier-no-answer', calls: 2 }, { daemonBot: { dialoutMaxConcurrentCalls: 1 } });
    const first = notifyPath();
    const a = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, notifyUrl: listener.url(first), answerTimeoutSec: 1 });
    expect(a.status).toBe(200);
    const b = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, notifyUrl: listener.url(notifyPath()) });
    expect(b.status).toBe(429);
    expect(b.json.error).toMatch(/dialoutMaxConcurrentCalls \(1\)/);
    const k = await dialoutKore(daemon.url, 'Bot1', { target: TARGET, caller: '+15550001111' });
    expect(k.status).toBe(429);

    expect(bodies(await deliveredOn(listener, first, 1))).toEqual([
      {
        conversationId: a.json.conversationId,
        status: 'failed',
        reasonCode: 'no-answer',
        reason: 'answer timeout',
        trunk: 'carrier1',
        attempts: [{ trunk: 'carrier1', status: 487, reason: 'Request Terminated' }],
      },
    ]);
    // The slot is released right after the final notification is queued.
    const c = await untilValue(
      'the slot to be free for a new dialout',
      () => dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, notifyUrl: listener.url(notifyPath()), answerTimeoutSec: 1 }),
      (res) => res.status === 200,
      2000,
      100,
    );
    expect(c.status).toBe(200);
    const record = await finalRecord(() => getCall(daemon.url, c.json.conversationId as string));
    expect(record).toMatchObject({ status: 'failed', reasonCode: 'no-answer' });
    expect(carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE')).toHaveLength(2);
    expect(await metricValue(daemon.url, 'outdial_dialouts_rejected_total', 'reason="concurrency-limit"')).toBe(2);
  });

  it('answers 429 over dialoutLimitPerSecond; /metrics counts accepted, rejected and ended calls', async () => {
    const { carrier, daemon } = await callSetup({ scenario: 'carrier-reject', status: 486, calls: 2 }, { daemonBot: { dialoutLimitPerSecond: 2 } });
    // Sent together, so all three fall within the 500 ms a rate of 2/s allows for two.
    const paths = [notifyPath(), notifyPath(), notifyPath()];
    const results = await Promise.all(paths.map((p) => dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, notifyUrl: listener.url(p) })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const refused = results.findIndex((r) => r.status === 429);
    expect(results[refused]!.json.error).toMatch(/dialoutLimitPerSecond \(2 per second\)/);

    for (const [i, p] of paths.entries()) {
      if (i === refused) continue;
      expect(bodies(await deliveredOn(listener, p, 1))).toMatchObject([{ conversationId: results[i]!.json.conversationId, status: 'failed', reasonCode: 'busy' }]);
    }
    expect(listener.requests(paths[refused])).toHaveLength(0);
    expect(carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE')).toHaveLength(2);

    expect(await metricValue(daemon.url, 'outdial_dialouts_accepted_total', 'bot="Bot1"')).toBe(2);
    expect(await metricValue(daemon.url, 'outdial_dialouts_rejected_total', 'reason="rate-limit"')).toBe(1);
    expect(await metricValue(daemon.url, 'outdial_calls_ended_total', 'status="failed",reasonCode="busy"')).toBe(2);
    expect(await (await fetch(`${daemon.url}/metrics`)).text()).toMatch(/^outdial_active_calls 0$/m);
  });
});

describe('requests refused before any INVITE', () => {
  it('answers 400 naming the field, 401, 403 and 404 unknown bot, and GET of an unknown call is 404', async () => {
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-reject', status: 486 },
      {
        overrides: {
          clients: [
            { id: 'dialer1', secret: 's3cret', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] },
            { id: 'viewer', secret: 'v1ew', roles: ['VAIC/BOTS/VIEW'], scopes: ['*'] },
            { id: 'other', secret: '0ther', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['tag=support'] },
          ],
        },
      },
    );
    const ac = (body: unknown, authorization = BASIC_AUTH) =>
      fetch(`${daemon.url}/api/v1/actions/dialout`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) }).then(
        async (r) => ({ status: r.status, json: (await r.json()) as { error?: string } }),
      );
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    const missing = await ac({ bot: 'Bot1' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/target/);
    const badTimeout = await ac({ bot: 'Bot1', target: TARGET, answerTimeoutSec: 301 });
    expect(badTimeout.status).toBe(400);
    expect(badTimeout.json.error).toMatch(/answerTimeoutSec/);
    const koreTarget = await dialoutKore(daemon.url, 'Bot1', { target: 'mailto:someone@example.com', caller: '+15550001111' });
    expect(koreTarget.status).toBe(400);
    expect(koreTarget.json.error).toMatch(/target/);

    expect((await ac({ bot: 'Bot1', target: TARGET }, basic('dialer1', 'wrong'))).status).toBe(401);
    const noAuth = await fetch(`${daemon.url}/api/1.1/public/bot/Bot1/smartassist/dialout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', auth: 'not.a.jwt' },
      body: JSON.stringify({ target: TARGET, caller: '+15550001111' }),
    });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { error: string }).error).toBeTruthy();

    const viewer = await ac({ bot: 'Bot1', target: TARGET }, basic('viewer', 'v1ew'));
    expect(viewer.status).toBe(403);
    expect(viewer.json.error).toMatch(/VAIC\/BOTS\/DIALOUT/);
    const otherTag = await ac({ bot: 'Bot1', target: TARGET }, basic('other', '0ther'));
    expect(otherTag.status).toBe(403);

    const unknownAc = await ac({ bot: 'NoSuchBot', target: TARGET });
    expect(unknownAc.status).toBe(404);
    expect(unknownAc.json.error).toMatch(/NoSuchBot/);
    const unknownKore = await dialoutKore(daemon.url, 'NoSuchBot', { target: TARGET, caller: '+15550001111' });
    expect(unknownKore.status).toBe(404);
    expect(unknownKore.json.error).toMatch(/NoSuchBot/);

    const call = await fetch(`${daemon.url}/api/v1/calls/3f0e1c2a-0000-4000-8000-000000000000`, { headers: { authorization: BASIC_AUTH } });
    expect(call.status).toBe(404);

    // A fixed wait on purpose: time for an INVITE to reach the carrier, had one been sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(carrier.received('INVITE')).toBeUndefined();
    expect(await metricValue(daemon.url, 'outdial_dialouts_accepted_total', 'bot="Bot1"')).toBeUndefined();
  });
});
