// Live calls through a real outdial daemon for the E2E tests: per call a SIPp carrier playing one of the
// kit's recordings and a SIPp bot of its own (so each recorder hears one call), one notification listener
// for every notifyUrl and bot eventsUrl, and the dialout placed over the HTTP API in either dialect.
import { readFileSync } from 'node:fs';
import { decodeG711 } from '../../src/media/index.js';
import { startTestDaemon, dialoutAudiocodes, dialoutKore, getCall, type TestDaemon } from './daemon.js';
import { e2eAudio, type E2eAudio, type E2eAudioName } from './e2e-audio.js';
import { startE2eSipp, type E2eSipp, type E2eScenario, type SippMessage } from './e2e-sipp.js';
import { startNotifyListener, type Notification, type NotifyListener } from './notify-listener.js';
import type { RtpRecorder } from './rtp-recorder.js';
import { stopAllSipp } from './sipp.js';

export const CALLER = '+15550001111';

export interface LiveCallSpec {
  /** A label for failure messages. */
  name: string;
  dialect: 'audiocodes' | 'kore';
  mode: 'disconnect' | 'detect' | 'disabled';
  /** What the callee's phone plays after answering. */
  audio: Exclude<E2eAudioName, 'bot'>;
  /** Plays this recording instead of the kit's file for `audio` (e.g. a voicemail with its beep cut out). */
  recording?: { pcap: string; ulaw: string };
  carrier?: { scenario?: 'carrier-answer-audio' | 'carrier-answer-audio-bye'; byeAfterMs?: number; ringMs?: number };
  /** bot-answer (default), bot-answer-bye, bot-reject, or carrier-no-answer standing in for a bot that never answers. */
  bot?: { scenario?: E2eScenario; byeAfterMs?: number; ringMs?: number };
  /** Fields of the bot's config merged over the generated one (eventsUrl is set unless given). */
  botConfig?: Record<string, unknown>;
  /** Extra dialout body fields (timers, amdEventsSubscription, voicemailEndTimeoutSec, ...). */
  body?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface LiveCall {
  spec: LiveCallSpec;
  botName: string;
  carrier: E2eSipp;
  bot: E2eSipp;
  conversationId: string;
  notifyPath: string;
  eventsPath: string;
  /** Notification bodies in arrival order. */
  notifications(): any[];
  /** Bot events POSTed to the eventsUrl, in arrival order. */
  botEvents(): any[];
  /** Bot events the bot received as SIP INFO bodies, in order. */
  botInfos(): any[];
  /** The INVITE the bot received, if any. */
  botInvite(): SippMessage | undefined;
  /** Waits for the final notification (completed / failed / Failed). */
  final(timeoutMs?: number): Promise<any>;
  record(): Promise<any>;
}

export interface LiveScene {
  daemon: TestDaemon;
  listener: NotifyListener;
  audio: E2eAudio;
  calls: LiveCall[];
  /** The call placed from the spec named `name`. */
  call(name: string): LiveCall;
  /** Awaits every call's final notification, then its record; both keyed by the spec's name. */
  ends(): Promise<{ finals: Map<string, any>; records: Map<string, any> }>;
  stop(): Promise<void>;
}

const FINAL = new Set(['completed', 'failed', 'Failed']);

/**
 * Starts every far end of `specs`, then one daemon whose bots Bot0..BotN point at them, and places the
 * calls at once. `daemonOverrides` are merged over the test daemon's config.
 */
export async function startLiveScene(specs: LiveCallSpec[], daemonOverrides: Record<string, unknown> = {}): Promise<LiveScene> {
  const audio = await e2eAudio();
  const listener = await startNotifyListener();
  const started: E2eSipp[] = [];
  let daemon: TestDaemon | undefined;
  const stop = async () => {
    await daemon?.stop().catch(() => undefined);
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    await listener.close();
  };
  try {
    const ends = await Promise.all(
      specs.map(async (spec) => {
        const carrierScenario = spec.carrier?.scenario ?? 'carrier-answer-audio';
        const carrier = await startE2eSipp({
          scenario: carrierScenario,
          audioPcap: spec.recording?.pcap ?? audio.files[spec.audio].pcap,
          ringMs: spec.carrier?.ringMs ?? 100,
          ...(spec.carrier?.byeAfterMs !== undefined && { byeAfterMs: spec.carrier.byeAfterMs }),
          timeoutSeconds: 60,
        });
        started.push(carrier);
        const botScenario = spec.bot?.scenario ?? 'bot-answer';
        const bot = await startE2eSipp({
          scenario: botScenario,
          ...(botScenario !== 'bot-reject' && botScenario !== 'carrier-no-answer' && { audioPcap: audio.files.bot.pcap }),
          ringMs: spec.bot?.ringMs ?? 50,
          ...(spec.bot?.byeAfterMs !== undefined && { byeAfterMs: spec.bot.byeAfterMs }),
          ...(botScenario === 'carrier-no-answer' && { sdpUser: 'bot' }),
          timeoutSeconds: 60,
        });
        started.push(bot);
        return { carrier, bot };
      }),
    );
    const bots = specs.map((spec, i) => ({
      name: `Bot${i}`,
      account: 'acme',
      sipUri: `sip:bot@${ends[i]!.bot.address}`,
      dialoutAllowedCallers: [CALLER],
      eventsUrl: listener.url(`/bot-events/${i}`),
      ...spec.botConfig,
    }));
    daemon = await startTestDaemon({
      carrierPort: ends[0]!.carrier.port,
      botPort: ends[0]!.bot.port,
      overrides: { bots, calls: { botAnswerTimeoutMs: 3000 }, ...daemonOverrides },
    });
    const url = daemon.url;
    const calls = await Promise.all(
      specs.map(async (spec, i) => {
        const { carrier, bot } = ends[i]!;
        const notifyPath = `/notify/${i}`;
        const eventsPath = `/bot-events/${i}`;
        const metadata = spec.metadata ?? { case: spec.name, n: i, note: 'héllo; "quoted"' };
        const common = { target: `sip:callee${i}@${carrier.address}`, caller: CALLER, machineDetection: spec.mode, metadata, ...spec.body };
        const res =
          spec.dialect === 'audiocodes'
            ? await dialoutAudiocodes(url, { bot: `Bot${i}`, notifyUrl: listener.url(notifyPath), ...common })
            : await dialoutKore(url, `Bot${i}`, { notifyurl: listener.url(notifyPath), ...common });
        if (res.status !== 200) throw new Error(`${spec.name}: dialout answered ${res.status} ${JSON.stringify(res.json)}`);
        const conversationId = res.json.conversationId as string;
        const bodies = (path: string) => listener.requests(path).map((n: Notification) => n.body as any);
        const call: LiveCall = {
          spec: { ...spec, metadata },
          botName: `Bot${i}`,
          carrier,
          bot,
          conversationId,
          notifyPath,
          eventsPath,
          notifications: () => bodies(notifyPath),
          botEvents: () => bodies(eventsPath),
          botInfos: () =>
            bot
              .messages()
              .filter((m) => m.direction === 'received' && m.method === 'INFO')
              .map((m) => JSON.parse(m.body) as unknown),
          botInvite: () => bot.received('INVITE'),
          final: async (timeoutMs = 40_000) =>
            (await listener.waitFor((n) => n.path === notifyPath && FINAL.has((n.body as any)?.status), timeoutMs)).body as any,
          record: () => getCall(url, conversationId),
        };
        return call;
      }),
    );
    const call = (name: string): LiveCall => {
      const found = calls.find((c) => c.spec.name === name);
      if (!found) throw new Error(`no live call named ${name}`);
      return found;
    };
    const awaitEnds = async () => {
      const finals = new Map<string, any>();
      const records = new Map<string, any>();
      await Promise.all(
        calls.map(async (c) => {
          finals.set(c.spec.name, await c.final());
          records.set(c.spec.name, await c.record());
        }),
      );
      return { finals, records };
    };
    return { daemon, listener, audio, calls, call, ends: awaitEnds, stop };
  } catch (err) {
    await stop();
    await stopAllSipp();
    throw err;
  }
}

export function decodeBase64UrlJson(value: string | undefined): unknown {
  return value === undefined ? undefined : JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
}

/**
 * How much of what `recorder` received is the far end's recording, packet for packet: the share of received
 * 160-byte PCMU payloads found at a packet boundary of `ulawFile` (the relay forwards payloads unchanged).
 */
/** The µ-law file a call's callee plays. */
export function calleeRecording(scene: LiveScene, call: LiveCall): string {
  return call.spec.recording?.ulaw ?? scene.audio.files[call.spec.audio].ulaw;
}

/**
 * The share of the packets a far end received whose payload is a 20 ms block of the recording. With
 * `silenceFill` (media.mode freeswitch), packets of pure µ-law silence (0x7f/0xff) that are no block of the
 * recording are left out: FreeSWITCH sends them while the callee sends nothing (before its audio reaches a
 * bridge, after its recording ends), as a channel whose audio AMD listens to (eavesdrop) turns the missing
 * frames into silence (docs/media.md).
 */
export function shareOfRecording(recorder: RtpRecorder | undefined, ulawFile: string, opts: { silenceFill?: boolean } = {}): { packets: number; share: number } {
  let packets = recorder?.packets() ?? [];
  if (packets.length === 0) return { packets: 0, share: 0 };
  const file = readFileSync(ulawFile);
  const blocks = new Set<string>();
  for (let o = 0; o + 160 <= file.length; o += 160) blocks.add(file.subarray(o, o + 160).toString('base64'));
  if (opts.silenceFill) {
    const silence = (p: Uint8Array) => p.every((b) => b === 0x7f) || p.every((b) => b === 0xff);
    packets = packets.filter((p) => blocks.has(Buffer.from(p.payload).toString('base64')) || !silence(p.payload));
    if (packets.length === 0) return { packets: 0, share: 0 };
  }
  const found = packets.filter((p) => blocks.has(Buffer.from(p.payload).toString('base64'))).length;
  return { packets: packets.length, share: found / packets.length };
}

/** A µ-law recording as a 16-bit PCM WAV, the input `outdial amd` and detectFile take. */
export function pcmWavOf(ulawFile: string): Buffer {
  const pcm = decodeG711('PCMU', new Uint8Array(readFileSync(ulawFile)));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.byteLength, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
}

/** The bot events a call should have produced, by name and value, e.g. ['start', 'machineDetection:voicemail-prompt-start']. */
export function eventNames(events: any[]): string[] {
  return events.map((e) => (e.value === undefined ? String(e.name) : `${String(e.name)}:${String(e.value)}`));
}

/** Waits until the SIPp far end's scenario has ended and returns its exit code and unexpected messages. */
export async function farEndResult(end: E2eSipp, timeoutMs = 15_000): Promise<{ exitCode: number | null; errors: string }> {
  const timer = new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref());
  const result = await Promise.race([end.done, timer]);
  if (!result) return { exitCode: null, errors: `SIPp still running after ${timeoutMs} ms` };
  return { exitCode: result.exitCode, errors: result.errors };
}
