// Inbound calls' races and refusals played out against a fake drachtio-srf (both its UAS side for the
// dialer's INVITE and its UAC side for the bot) and a hand-driven clock: no sockets, no real timers.
import { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import { beforeEach, describe, expect, it } from 'vitest';
import { Launcher, type CallServices } from '../../src/calls/index.js';
import { parseConfig } from '../../src/config/index.js';
import { InboundRouter, InboundRoutes } from '../../src/inbound/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { Notifier } from '../../src/notify/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { FakeDialog, FakeMediaPath, FakeSrf } from '../support/fake-srf.js';
import { ManualClock, settle } from '../support/manual-clock.js';

const OFFER = 'v=0\r\no=dialer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';

/** The dialer's INVITE as drachtio-srf hands it to srf.invite(). */
class FakeInvite extends EventEmitter {
  readonly headers: Record<string, string>;
  constructor(
    readonly uri: string,
    extra: Record<string, string> = {},
    readonly body = OFFER,
    readonly source_address = '127.0.0.1',
  ) {
    super();
    this.headers = { 'call-id': `call-${Math.random()}`, from: '<sip:+15557654321@127.0.0.1>;tag=d1', ...extra };
  }
  get(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }
  getParsedHeader(): { uri: string } {
    return { uri: 'sip:+15557654321@127.0.0.1' };
  }
  /** The dialer CANCELs (the edge has answered 487). */
  cancel(): void {
    this.emit('cancel');
  }
}

class FakeResponse {
  readonly sent: { status: number; reason: string; headers: Record<string, string> }[] = [];
  send(status: number, reason: string, opts: { headers?: Record<string, string> } = {}): void {
    this.sent.push({ status, reason, headers: opts.headers ?? {} });
  }
}

/** srf.createUAS: a 200 OK the test releases (or not); each answer is a FakeDialog. */
class FakeUas {
  readonly answers: { headers: Record<string, string>; dialog: FakeDialog }[] = [];
  createUAS(_req: unknown, _res: unknown, opts: { headers: Record<string, string> }): Promise<Srf.Dialog> {
    const dialog = new FakeDialog();
    this.answers.push({ headers: opts.headers, dialog });
    return Promise.resolve(dialog as unknown as Srf.Dialog);
  }
}

const config = parseConfig({
  accounts: [{ name: 'acme' }],
  bots: [{ name: 'Bot1', account: 'acme', sipUri: 'sip:bot@127.0.0.1:5090', dialoutMaxConcurrentCalls: 1 }],
  calls: { botAnswerTimeoutMs: 3000 },
  inbound: [
    { name: 'direct', match: { user: '^direct' }, machineDetection: 'disabled', actionHook: 'http://127.0.0.1:7000/amd', bot: 'Bot1' },
    { name: 'amd', match: { user: '^amd' }, machineDetection: 'disconnect', actionHook: 'http://127.0.0.1:7000/amd' },
  ],
});
const logger = createLogger('silent');

let clock: ManualClock;
let srf: FakeSrf;
let uas: FakeUas;
let media: FakeMediaPath;
let store: MemoryStore;
let launcher: Launcher;
let router: InboundRouter;

beforeEach(() => {
  clock = new ManualClock();
  srf = new FakeSrf();
  uas = new FakeUas();
  media = new FakeMediaPath();
  store = new MemoryStore({ maxRecords: 100, now: () => clock.now() });
  const services: CallServices = {
    srf: srf.signalling,
    media,
    localHost: '127.0.0.1',
    store,
    notifier: new Notifier({ store, signingSecret: 'k', timeoutMs: 1000, retries: 0, logger }),
    metrics: createMetrics({ defaultMetrics: false }),
    logger,
    config,
    botEvents: { post: () => undefined },
    botAnswerTimeoutMs: 3000,
    cancelGraceMs: 4000,
    owner: 'daemon-1',
    clock,
  };
  launcher = new Launcher(services, { owner: 'daemon-1', sipConnected: () => true });
  router = new InboundRouter({
    routes: new InboundRoutes(config),
    services,
    uas: uas as unknown as Pick<Srf, 'createUAS'>,
    refusal: () => launcher.refusal(),
    hold: (call) => launcher.hold(call),
  });
});

function invite(user: string, extra?: Record<string, string>, body?: string): { req: FakeInvite; res: FakeResponse } {
  const req = new FakeInvite(`sip:${user}@127.0.0.1:5060`, extra, body);
  const res = new FakeResponse();
  router.handle(req as unknown as Srf.SrfRequest, res as unknown as Srf.SrfResponse);
  return { req, res };
}

async function recordOf(conversationId: string) {
  return (await store.getCall(conversationId))!;
}

describe('inbound call races', () => {
  it('the dialer hanging up a bridged call ends it: the bot gets a BYE, the bot slot is freed', async () => {
    invite('direct-1');
    await settle();
    expect(uas.answers).toHaveLength(1);
    const conversationId = uas.answers[0]!.headers['X-Conversation-Id']!;
    const botInvite = await srf.invite(0);
    expect(botInvite.headers['X-Machine-Detection']).toBe('disabled');
    expect(botInvite.headers['X-Conversation-Id']).toBe(conversationId);
    const bot = botInvite.answer();
    await settle();
    expect(media.bridges).toBe(1);
    expect(await store.activeSlots('Bot1')).toBe(1);
    uas.answers[0]!.dialog.hangUpFromFarEnd();
    await settle();
    expect(bot.byes).toBe(1);
    expect(uas.answers[0]!.dialog.byes).toBe(0);
    const record = await recordOf(conversationId);
    expect(record).toMatchObject({ dialect: 'jambonz', route: 'direct', status: 'completed', reasonCode: 'client-disconnected' });
    expect(await store.activeSlots('Bot1')).toBe(0);
    expect(launcher.active).toBe(0);
  });

  it("the bot's limits apply: a second call while the bot is full is refused 486 with Retry-After", async () => {
    invite('direct-1');
    await settle();
    const { res } = invite('direct-2');
    await settle();
    expect(res.sent).toEqual([expect.objectContaining({ status: 486, headers: expect.objectContaining({ 'Retry-After': '1', Warning: expect.stringMatching(/dialoutMaxConcurrentCalls/) }) })]);
    expect(uas.answers).toHaveLength(1);
  });

  it('a CANCEL while the INVITE is checked answers nothing more and frees the bot slot', async () => {
    const { req, res } = invite('direct-1');
    req.cancel();
    await settle();
    expect(uas.answers).toHaveLength(0);
    expect(res.sent).toEqual([]);
    expect(srf.invites).toHaveLength(0);
    expect(await store.activeSlots('Bot1')).toBe(0);
    expect(launcher.active).toBe(0);
  });

  it('an SDP offer outdial cannot take is answered 488 naming why; the call is failed in its record', async () => {
    const { res } = invite('amd-1', {}, 'not sdp');
    await settle();
    expect(res.sent).toEqual([expect.objectContaining({ status: 488, headers: expect.objectContaining({ Warning: expect.stringMatching(/not a session description/) }) })]);
    expect(uas.answers).toHaveLength(0);
    const conversationId = res.sent[0]!.headers['X-Conversation-Id']!;
    expect(await recordOf(conversationId)).toMatchObject({ route: 'amd', status: 'failed', reasonCode: 'error' });
    expect(media.legs[0]!.closed).toBe(true);
  });

  it('a media server that cannot take the offer gets the INVITE a 503, not a 488; the leg is closed', async () => {
    media.mediaServer = () => Promise.reject(new Error('FreeSWITCH did not take the offer: 500'));
    const { res } = invite('amd-1');
    await settle();
    expect(res.sent.map((r) => r.status)).toEqual([503]);
    expect(uas.answers).toHaveLength(0);
    expect(media.legs[0]!.closed).toBe(true);
    expect(await recordOf(res.sent[0]!.headers['X-Conversation-Id']!)).toMatchObject({ route: 'amd', status: 'failed' });
  });

  it('a CANCEL while the media server answers the offer sends no 200 and closes the leg', async () => {
    let answer!: (sdp: string) => void;
    media.mediaServer = () => new Promise((resolve) => (answer = resolve));
    const { req, res } = invite('amd-1');
    await settle();
    req.cancel();
    answer('v=0\r\n');
    await settle();
    expect(uas.answers).toHaveLength(0);
    expect(res.sent).toEqual([]);
    expect(media.legs[0]!.closed).toBe(true);
    expect(launcher.active).toBe(0);
  });

  it('shutting down ends an answered inbound call with a BYE to the dialer', async () => {
    invite('amd-1');
    await settle();
    const conversationId = uas.answers[0]!.headers['X-Conversation-Id']!;
    await launcher.shutdown(0);
    expect(uas.answers[0]!.dialog.byes).toBe(1);
    expect(await recordOf(conversationId)).toMatchObject({ status: 'completed', reasonCode: 'error', reason: 'service shutting down' });
    const { res } = invite('amd-2');
    await settle();
    expect(res.sent).toEqual([expect.objectContaining({ status: 503 })]);
  });
});
