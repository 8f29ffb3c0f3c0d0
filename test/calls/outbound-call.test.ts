// The call's races played out in order against a fake drachtio-srf and a hand-driven clock: no sockets,
// no waiting on real timers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboundCall } from '../../src/calls/index.js';
import { parseConfig } from '../../src/config/index.js';
import { normalizeAudiocodes } from '../../src/dialout/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { Notifier } from '../../src/notify/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { earlyMediaSitReason } from '../../src/calls/outcome.js';
import { concat, frames, mix, silence, tone } from '../amd/signals.js';
import { FakeMediaPath, FakeSrf } from '../support/fake-srf.js';
import { ManualClock, settle } from '../support/manual-clock.js';

const config = parseConfig({
  accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: '127.0.0.1', port: 5080, default: true }] }],
  bots: [{ name: 'Bot1', account: 'acme', sipUri: 'sip:bot@127.0.0.1:5090' }],
  calls: { botAnswerTimeoutMs: 3000 },
});
const logger = createLogger('silent');

let clock: ManualClock;
let srf: FakeSrf;
let media: FakeMediaPath;
let store: MemoryStore;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeEach(() => {
  clock = new ManualClock();
  srf = new FakeSrf();
  media = new FakeMediaPath();
  store = new MemoryStore({ maxRecords: 100, now: () => clock.now() });
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

function newCall(machineDetection: 'disabled' | 'disconnect' = 'disabled'): OutboundCall {
  const bot = config.bots[0]!;
  const req = normalizeAudiocodes({ bot: 'Bot1', target: 'tel:+15551234567', caller: '+15550001111', machineDetection, answerTimeoutSec: 20 }, { config, bot, clientId: 'dialer1', conversationId: `c-${Math.random()}` });
  const call = new OutboundCall(req, {
    srf: srf.signalling,
    media,
    localHost: '127.0.0.1',
    store,
    notifier: new Notifier({ store, signingSecret: 'k', timeoutMs: 1000, retries: 0, logger }),
    metrics: createMetrics(),
    logger,
    config,
    botEvents: { post: () => undefined },
    botAnswerTimeoutMs: config.calls.botAnswerTimeoutMs,
    cancelGraceMs: 4000,
    owner: 'daemon-1',
    clock,
  });
  call.start();
  return call;
}

/** Answers the callee's INVITE and lets the call reach the bot's INVITE. */
async function answeredAndBridging(call: OutboundCall) {
  const calleeInvite = await srf.invite(0);
  const callee = calleeInvite.answer();
  const botInvite = await srf.invite(1);
  await settle();
  expect(call.currentState).toBe('bridging');
  return { callee, botInvite };
}

describe('outbound call races', () => {
  it('a 200 crossing our CANCEL after the answer timeout is hung up, its failing BYE handled; the call ends no-answer', async () => {
    const call = newCall();
    const invite = await srf.invite(0);
    await settle();
    invite.provisional(180);
    expect(call.record.status).toBe('ringing');
    await clock.advance(20_000);
    expect(invite.cancels).toBe(1);
    expect(call.currentState).toBe('ending');
    // drachtio-server ACKs and BYEs such a 200 itself, so our own BYE fails.
    const dialog = invite.answer(new Error('dialog already gone'));
    await call.done;
    expect(dialog.byes).toBe(1);
    expect(call.currentState).toBe('ended');
    expect(call.record).toMatchObject({ status: 'failed', reasonCode: 'no-answer', reason: 'answer timeout' });
    expect(await store.getCall(call.conversationId)).toMatchObject({ status: 'failed', reasonCode: 'no-answer' });
    expect(unhandled).toEqual([]);
  });

  it('a bot answering after botAnswerTimeoutMs is hung up and the call ends with error, not bot-disconnected', async () => {
    const call = newCall();
    const { callee, botInvite } = await answeredAndBridging(call);
    await clock.advance(3000);
    expect(botInvite.cancels).toBe(1);
    const bot = botInvite.answer();
    await call.done;
    expect(bot.byes).toBe(1);
    expect(callee.byes).toBe(1);
    expect(media.bridges).toBe(0);
    expect(call.record).toMatchObject({ status: 'completed', reasonCode: 'error' });
    expect(call.record.reason).toMatch(/bot did not answer within 3000 ms/);
    expect(unhandled).toEqual([]);
  });

  it('a bot answering neither the INVITE nor its CANCEL ends the call the CANCEL grace after the bot answer timeout, not at Timer B', async () => {
    const call = newCall();
    const { callee, botInvite } = await answeredAndBridging(call);
    await clock.advance(3000);
    expect(botInvite.cancels).toBe(1);
    await clock.advance(3999);
    expect(call.currentState).toBe('bridging');
    await clock.advance(1);
    await call.done;
    expect(callee.byes).toBe(1);
    expect(call.record).toMatchObject({ status: 'completed', reasonCode: 'error' });
    expect(call.record.reason).toMatch(/bot did not answer within 3000 ms/);
    // A 200 that comes after all is still hung up.
    const bot = botInvite.answer();
    await settle();
    expect(bot.byes).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it('a callee BYE while the bot is being INVITEd CANCELs the bot; a bot answering after the call ended gets a BYE', async () => {
    const call = newCall();
    const { callee, botInvite } = await answeredAndBridging(call);
    callee.hangUpFromFarEnd();
    expect(call.currentState).toBe('ending');
    await settle();
    expect(botInvite.cancels).toBe(1);
    const bot = botInvite.answer();
    await call.done;
    expect(bot.byes).toBe(1);
    expect(callee.byes).toBe(0);
    expect(media.bridges).toBe(0);
    expect(call.record).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(media.legs.every((l) => l.closed)).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('a bot hanging up a bridged call gets no CANCEL for its answered INVITE; the callee gets a BYE', async () => {
    const call = newCall();
    const { callee, botInvite } = await answeredAndBridging(call);
    const bot = botInvite.answer();
    await settle();
    expect(call.currentState).toBe('bridged');
    expect(media.bridges).toBe(1);
    expect(JSON.parse(bot.infos[0]!)).toMatchObject({ name: 'start' });
    bot.hangUpFromFarEnd();
    await call.done;
    expect(botInvite.cancels).toBe(0);
    expect(bot.byes).toBe(0);
    expect(callee.byes).toBe(1);
    expect(call.record).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected' });
  });

  it('a call ended before its INVITE left sends none; a rejected INVITE ends with its SIP status', async () => {
    const stopped = newCall();
    stopped.terminate();
    await stopped.done;
    expect(srf.invites).toHaveLength(0);
    expect(stopped.record).toMatchObject({ status: 'failed', reasonCode: 'error', reason: 'service shutting down' });

    const busy = newCall();
    const invite = await srf.invite(0);
    invite.reject(486, 'Busy Here');
    await busy.done;
    expect(invite.cancels).toBe(0);
    expect(busy.record).toMatchObject({ status: 'failed', reasonCode: 'busy', sipStatus: 486 });
  });
});

describe('early media call progress', () => {
  const sdp = 'v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const play = (leg: { emit(e: 'frame', pcm: Int16Array): boolean }, audio: Int16Array) => {
    for (const f of frames(audio)) leg.emit('frame', f);
  };

  it('SIT tones in a 183 with SDP CANCEL the INVITE and end the call failed with the intercept reason, long before the answer timeout', async () => {
    const call = newCall();
    const invite = await srf.invite(0);
    await settle();
    invite.provisional(183, sdp);
    const leg = media.legs[0]!;
    expect(leg.answers).toBe(1);
    play(leg, concat(silence(1000), tone(913.8, 274, -14)));
    expect(invite.cancels).toBe(0);
    play(leg, concat(tone(1370.6, 274, -14), tone(1776.7, 380, -14), silence(200)));
    expect(invite.cancels).toBe(1);
    invite.reject(487, 'Request Terminated');
    await call.done;
    expect(call.record).toMatchObject({ status: 'failed', reasonCode: 'error', reason: earlyMediaSitReason });
    expect(await store.getCall(call.conversationId)).toMatchObject({ status: 'failed', reasonCode: 'error', reason: earlyMediaSitReason });
    expect(unhandled).toEqual([]);
  });

  it('ringback in early media keeps the call waiting; the 200 applies its SDP again and the call is answered', async () => {
    const call = newCall();
    const invite = await srf.invite(0);
    await settle();
    invite.provisional(183, sdp);
    const leg = media.legs[0]!;
    play(leg, concat(mix(tone(440, 2000, -19), tone(480, 2000, -19)), silence(4000), mix(tone(440, 2000, -19), tone(480, 2000, -19))));
    expect(invite.cancels).toBe(0);
    invite.answer();
    await srf.invite(1);
    await settle();
    expect(leg.answers).toBe(2);
    expect(call.record.answeredAt).toBeDefined();
    expect(call.currentState).toBe('bridging');
  });
});
