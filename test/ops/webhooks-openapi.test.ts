// The notifications and bot events of real calls, as the dialer's and the bot's listener receive them,
// each matches exactly one webhook of GET /openapi.json (the shared listener checks every outdial POST of
// the E2E suite the same way; this test pins which webhooks live calls of both dialects produce).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveScene, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';
import { webhookValidator } from '../support/webhook-schema.js';

let scene: LiveScene;

beforeAll(async () => {
  const events = { sendEventsToBot: ['dialoutInitiated'] };
  scene = await startLiveScene([
    { name: 'kore voicemail', dialect: 'kore', mode: 'detect', audio: 'voicemail', bot: { scenario: 'bot-answer-bye', byeAfterMs: 6500 }, botConfig: events },
    { name: 'audiocodes human', dialect: 'audiocodes', mode: 'detect', audio: 'human', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 3000 } },
  ]);
  await Promise.all(scene.calls.map((c) => c.final(40_000)));
  // The bot's hang-up comes after the last bot event; give the events a moment to arrive.
  await scene.listener.waitFor((_n, all) => all.filter((n) => (n.body as { name?: string } | undefined)?.name === 'start').length >= 2, 10_000);
}, 90_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

describe('notifications against /openapi.json webhooks', () => {
  it('the served document validates every notification and bot event of both dialects', async () => {
    const doc: any = await (await fetch(`${scene.daemon.url}/openapi.json`)).json();
    const served = webhookValidator(doc);
    const posts = scene.listener.requests().filter((n) => n.headers['webhook-id'] !== undefined);
    expect(posts.length).toBeGreaterThanOrEqual(8);
    const matched = posts.map((n) => served.check(n.body));
    expect(matched.filter((m) => 'error' in m)).toEqual([]);
    const names = new Set(matched.map((m) => ('webhook' in m ? m.webhook : '')));
    expect([...names].sort()).toEqual(
      expect.arrayContaining(['audiocodesAnswered', 'audiocodesCompleted', 'botDialoutInitiated', 'botMachineDetection', 'botStart', 'koreAnswered', 'koreCallInProgress', 'koreCompleted']),
    );
  });

  it('a body outside the description is refused by the same validator', () => {
    const v = webhookValidator();
    expect(v.check({ conversationId: 'c', status: 'answered' })).toEqual({ webhook: 'audiocodesAnswered' });
    expect('error' in v.check({ conversationId: 'c', status: 'answered', extra: 1 })).toBe(true);
    expect('error' in v.check({ conversationId: 'c', status: 'Answered', reason: '200 OK', reasonCode: 'OK', ringDurationInMS: -1, connectDurationInMS: 0 })).toBe(true);
    expect('error' in v.check({ type: 'event', name: 'machineDetection', value: 'beep', conversationId: 'c' })).toBe(true);
  });
});
