// AMD for calls a dialer sends in (docs/inbound.md): SIPp dialers INVITE outdial with a callee's audio (a
// person, a voicemail greeting) on routes of the config; outdial answers, runs AMD on that audio, POSTs
// each event to the route's actionHook in the jambonz shape, sends it in the dialog as INFO, then bridges a
// person to a SIPp bot, hangs up on a machine (disconnect), or tells the bot of the voicemail (detect).
// Refusals: no route 404, a bad X-AMD-* header 400, a source off the allow-list 403, sipAuth 401 then 403
// for a wrong password. All calls run at once against one daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAudio, type E2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp, type E2eScenario, type E2eSippOptions } from '../support/e2e-sipp.js';
import { startTestDaemon, getCall, type TestDaemon } from '../support/daemon.js';
import { testMediaMode } from '../support/freeswitch-server.js';
import { farEndResult, shareOfRecording } from '../support/live-call.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';

let audio: E2eAudio;
let listener: NotifyListener;
let daemon: TestDaemon;
const started: E2eSipp[] = [];
let botHuman: E2eSipp;
let botDetect: E2eSipp;
const dialers = new Map<string, E2eSipp>();

async function sipp(scenario: E2eScenario, opts: Omit<E2eSippOptions, 'scenario'>): Promise<E2eSipp> {
  const s = await startE2eSipp({ scenario, timeoutSeconds: 60, ...opts });
  started.push(s);
  return s;
}

/** A dialer INVITEing `user` at outdial. */
function dialer(name: string, scenario: E2eScenario, user: string, keys: Record<string, string | number> = {}, pcap?: string): Promise<E2eSipp> {
  return sipp(scenario, {
    service: user,
    remote: daemon.sipAddress,
    keys: { caller: '+15557654321', decision_ms: 15000, ...keys },
    ...(pcap !== undefined && { audioPcap: pcap }),
  }).then((d) => {
    dialers.set(name, d);
    return d;
  });
}

/**
 * How a dialer's scenario ended. SIPp lists each INFO that -aa answered between scenario steps (the AMD
 * events after the first) among its "errors"; those are expected here, anything else is not.
 */
async function dialerResult(d: E2eSipp): Promise<{ exitCode: number | null; errors: string }> {
  const { exitCode, errors } = await farEndResult(d);
  const rest = errors
    .replace(/The following events occurred:/, '')
    .split(/(?=\d{4}-\d{2}-\d{2}\t)/)
    .filter((line) => line.trim() !== '' && !/Automatic response mode for an unexpected INFO/.test(line));
  return { exitCode, errors: rest.join('\n') };
}

/** What outdial POSTed to a route's actionHook, in order. */
const hook = (route: string): any[] => listener.requests(`/amd/${route}`).map((n) => n.body);
/** The INFO bodies a dialer received, in order. */
const infos = (d: E2eSipp): any[] => d.messages().filter((m) => m.direction === 'received' && m.method === 'INFO').map((m) => JSON.parse(m.body));
/** The X-Conversation-Id of outdial's 200 OK to the dialer. */
const conversationOf = (d: E2eSipp): string | undefined => d.messages().find((m) => m.direction === 'received' && m.status === 200 && m.header('x-conversation-id'))?.header('x-conversation-id');
/** The final statuses outdial answered a dialer's INVITEs with, in order. */
const finals = (d: E2eSipp): number[] => d.messages().filter((m) => m.direction === 'received' && m.status !== undefined && m.status >= 200 && /INVITE/.test(m.header('cseq') ?? '')).map((m) => m.status!);

beforeAll(async () => {
  audio = await e2eAudio();
  listener = await startNotifyListener();
  botHuman = await sipp('bot-answer-bye', { audioPcap: audio.files.bot.pcap, byeAfterMs: 2500, ringMs: 50 });
  botDetect = await sipp('bot-answer', { audioPcap: audio.files.bot.pcap, ringMs: 50 });
  const hookUrl = (route: string) => listener.url(`/amd/${route}`);
  daemon = await startTestDaemon({
    carrierPort: 5,
    botPort: botHuman.port,
    overrides: {
      bots: [
        { name: 'BotH', account: 'acme', sipUri: `sip:bot@${botHuman.address}`, eventsUrl: listener.url('/bot-events/human') },
        { name: 'BotD', account: 'acme', sipUri: `sip:bot@${botDetect.address}`, eventsUrl: listener.url('/bot-events/detect') },
      ],
      calls: { botAnswerTimeoutMs: 3000 },
      inbound: [
        { name: 'human', match: { user: '^human' }, machineDetection: 'disconnect', actionHook: hookUrl('human'), bot: 'BotH' },
        { name: 'vm', match: { user: '^vm' }, machineDetection: 'disconnect', actionHook: hookUrl('vm') },
        { name: 'detect', match: { user: '^detect' }, machineDetection: 'detect', actionHook: hookUrl('detect'), bot: 'BotD' },
        { name: 'auth', match: { user: '^auth-ok' }, machineDetection: 'disconnect', actionHook: hookUrl('auth'), sipAuth: { username: 'dialer', password: 's3cret' } },
        { name: 'auth-bad', match: { user: '^auth-bad' }, machineDetection: 'disconnect', actionHook: hookUrl('auth-bad'), sipAuth: { username: 'dialer', password: 'not-this' } },
        { name: 'lan-only', match: { user: '^lan' }, machineDetection: 'disconnect', actionHook: hookUrl('lan-only'), allowedSources: ['10.0.0.0/8'] },
      ],
    },
  });
  const { labels } = audio;
  await Promise.all([
    dialer('human', 'inbound-uac', 'human-1001', {}, audio.files.human.pcap),
    dialer('vm', 'inbound-uac', 'vm-1002', {}, audio.files.voicemail.pcap),
    // Hangs up after the beep and the greeting's end, so the bot hears the whole voicemail prompt.
    dialer('detect', 'inbound-uac-hangup', 'detect-1003', { hold_ms: labels.voicemail.beepEndMs! + 3500 }, audio.files.voicemail.pcap),
    dialer('auth', 'inbound-uac-auth', 'auth-ok-1004', { hold_ms: 3500 }, audio.files.human.pcap),
    dialer('auth-bad', 'inbound-uac-auth-refused', 'auth-bad-1005'),
    dialer('no-route', 'inbound-uac-refused', 'nobody-1006'),
    dialer('bad-header', 'inbound-uac-refused', 'vm-1007', { decision_ms: 'soon' }),
    dialer('lan-only', 'inbound-uac-refused', 'lan-1008'),
  ]);
  await Promise.all([...dialers.values()].map((d) => farEndResult(d, 40_000)));
}, 90_000);

afterAll(async () => {
  await daemon?.stop().catch(() => undefined);
  await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
  await listener?.close();
  await stopAllSipp();
});

describe('inbound calls with AMD', () => {
  it('a person is detected, reported to the actionHook and as INFO, and bridged to the bot until the bot hangs up', async () => {
    const d = dialers.get('human')!;
    expect(await dialerResult(d)).toEqual({ exitCode: 0, errors: '' });
    const conversationId = conversationOf(d)!;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const callId = d.messages().find((m) => m.direction === 'sent' && m.method === 'INVITE')!.header('call-id');
    const first = hook('human')[0];
    expect(first).toMatchObject({ type: 'amd_human_detected', callId, route: 'human', conversationId });
    const post = listener.requests('/amd/human')[0]!;
    expect(post.headers['webhook-id']).toMatch(/^msg_/);
    expect(post.headers['webhook-signature']).toMatch(/^v1,/);
    // The same events in the dialog, in the same order.
    expect(infos(d)[0]).toEqual(first);
    // Bridged: the bot got the call's facts and hears the caller; the caller hears the bot's 440 Hz.
    const invite = botHuman.received('INVITE')!;
    expect(invite.header('X-Machine-Detection')).toBe('amd_human_detected');
    expect(invite.header('X-Conversation-Id')).toBe(conversationId);
    expect(invite.header('X-Caller')).toBe('+15557654321');
    expect(d.recorder!.dominantFrequency()).toBe(440);
    const heard = shareOfRecording(botHuman.recorder, audio.files.human.ulaw);
    expect(heard.packets).toBeGreaterThan(25);
    expect(heard.share).toBeGreaterThan(0.95);
    // The bot hung up, so outdial hung up on the dialer.
    expect(d.received('BYE')).toBeDefined();
    let record: any;
    await until('final record', async () => (record = await getCall(daemon.url, conversationId)).status === 'completed', 5000);
    expect(record).toMatchObject({ dialect: 'jambonz', route: 'human', callId, reasonCode: 'bot-disconnected', machineDetection: 'disconnect' });
    expect(record.amdEvents[0]).toMatchObject({ type: 'amd_human_detected' });
  });

  it(`the dialer's media goes to the media path of media.mode (${testMediaMode()}): the 200 OK carries its SDP answer`, () => {
    const ok = dialers.get('human')!.messages().find((m) => m.direction === 'received' && m.status === 200 && /INVITE/.test(m.header('cseq') ?? ''))!;
    // outdial's own SDP names itself in s=; FreeSWITCH's answer (docs/media.md) names FreeSWITCH.
    expect(ok.body).toMatch(testMediaMode() === 'freeswitch' ? /^s=FreeSWITCH/m : /^s=outdial/m);
    expect(ok.body).toMatch(/^m=audio \d+ RTP\/AVP (0|8)\b/m);
  });

  it('a voicemail greeting is reported as a machine, and outdial hangs up (disconnect)', async () => {
    const d = dialers.get('vm')!;
    expect(await dialerResult(d)).toEqual({ exitCode: 0, errors: '' });
    const conversationId = conversationOf(d)!;
    const events = hook('vm');
    expect(events[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'long greeting', route: 'vm', conversationId });
    expect(infos(d)[0]).toEqual(events[0]);
    expect(d.received('BYE')).toBeDefined();
    let record: any;
    await until('final record', async () => (record = await getCall(daemon.url, conversationId)).status === 'completed', 5000);
    expect(record).toMatchObject({ dialect: 'jambonz', route: 'vm', machineDetected: true, reasonCode: 'machine-detected' });
    expect(record.amdEvents.map((e: any) => e.type)).toEqual(events.map((e) => e.type));
  });

  it('detect mode bridges a voicemail to the bot and tells it when the prompt starts and ends on the beep', async () => {
    const d = dialers.get('detect')!;
    expect(await dialerResult(d)).toEqual({ exitCode: 0, errors: '' });
    const types = hook('detect').map((e) => e.type);
    expect(types[0]).toBe('amd_machine_detected');
    expect(types).toContain('amd_tone_detected');
    expect(botDetect.received('INVITE')!.header('X-Machine-Detection')).toBe('amd_machine_detected');
    const botInfos = botDetect.messages().filter((m) => m.direction === 'received' && m.method === 'INFO').map((m) => JSON.parse(m.body));
    expect(botInfos.map((e) => (e.value === undefined ? e.name : `${e.name}:${e.value}`))).toEqual([
      'start',
      'machineDetection:voicemail-prompt-start',
      'machineDetection:voicemail-prompt-end-beep',
    ]);
    // The dialer hung up; the bot got outdial's BYE.
    await until('BYE to the bot', () => botDetect.received('BYE') !== undefined, 5000);
    const record = await getCall(daemon.url, conversationOf(d)!);
    expect(record).toMatchObject({ route: 'detect', reasonCode: 'client-disconnected' });
  });

  it('a route with sipAuth challenges with 401 and answers the INVITE that carries the credentials', async () => {
    const d = dialers.get('auth')!;
    expect(await dialerResult(d)).toEqual({ exitCode: 0, errors: '' });
    expect(finals(d)).toEqual([401, 200]);
    const challenge = d.messages().find((m) => m.status === 401)!.header('www-authenticate');
    expect(challenge).toMatch(/^Digest realm="outdial", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    expect(hook('auth')[0]).toMatchObject({ type: 'amd_human_detected', route: 'auth', conversationId: conversationOf(d) });
    const record = await getCall(daemon.url, conversationOf(d)!);
    expect(record).toMatchObject({ route: 'auth', status: 'completed', reasonCode: 'client-disconnected' });
  });

  it('a wrong digest password is refused with 403 and nothing is answered', async () => {
    const d = dialers.get('auth-bad')!;
    expect(await dialerResult(d)).toEqual({ exitCode: 0, errors: '' });
    expect(finals(d)).toEqual([401, 403]);
    expect(d.messages().find((m) => m.status === 403)!.header('warning')).toMatch(/wrong credentials for user 'dialer'/);
    expect(hook('auth-bad')).toEqual([]);
  });

  it('refuses an INVITE for a user no route matches (404), a bad X-AMD-* header (400) and a source off the allow-list (403)', async () => {
    for (const [name, status, warning] of [
      ['no-route', 404, undefined],
      ['bad-header', 400, /X-AMD-Decision-Timeout-Ms must be an integer 500–60000, got 'soon'/],
      ['lan-only', 403, /source 127\.0\.0\.1 not allowed/],
    ] as const) {
      const d = dialers.get(name)!;
      expect(await dialerResult(d), name).toEqual({ exitCode: 0, errors: '' });
      expect(finals(d), name).toEqual([status]);
      if (warning) expect(d.messages().find((m) => m.status === status)!.header('warning'), name).toMatch(warning);
    }
    expect(hook('lan-only')).toEqual([]);
  });

  it('counts inbound INVITEs by route and outcome in /metrics', async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    for (const line of [
      'outdial_inbound_invites_total{route="human",outcome="answered"} 1',
      'outdial_inbound_invites_total{route="auth",outcome="challenged"} 1',
      'outdial_inbound_invites_total{route="auth",outcome="answered"} 1',
      'outdial_inbound_invites_total{route="auth-bad",outcome="refused"} 1',
      'outdial_inbound_invites_total{route="",outcome="no-route"} 1',
      'outdial_inbound_invites_total{route="vm",outcome="bad-request"} 1',
      'outdial_inbound_invites_total{route="lan-only",outcome="forbidden"} 1',
    ]) {
      expect(text).toContain(line);
    }
  });
});
