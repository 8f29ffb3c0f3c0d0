// Shared set-up of the dialout E2E tests: a SIPp carrier (and bot), an outdial daemon whose default trunk is
// that carrier, and the notification listener; everything started is stopped after each test.
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { expect } from 'vitest';
import { verifyNotificationSignature } from '../../src/notify/index.js';
import { onCleanup } from '../support/cleanup.js';
import { dialoutAudiocodes, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { e2eAudio, type E2eAudioName } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp, type E2eSippOptions } from '../support/e2e-sipp.js';
import type { Notification, NotifyListener } from '../support/notify-listener.js';
import { untilValue } from '../support/until.js';

export const SIGNING_SECRET = 'test-secret';

export { onCleanup, useCleanup } from '../support/cleanup.js';

export interface FarEndSpec extends Omit<E2eSippOptions, 'audioPcap'> {
  /** Which generated recording an answering far end plays. */
  audio?: E2eAudioName;
}

export async function farEnd(spec: FarEndSpec): Promise<E2eSipp> {
  const { audio, ...opts } = spec;
  const pcap = audio ? (await e2eAudio()).files[audio].pcap : undefined;
  const sipp = await startE2eSipp({ ...opts, ...(pcap !== undefined && { audioPcap: pcap }) });
  onCleanup(() => sipp.stop());
  return sipp;
}

export interface CallSetup {
  carrier: E2eSipp;
  bot: E2eSipp | undefined;
  daemon: TestDaemon;
}

/**
 * A carrier scenario and a daemon routing the account's default trunk to it. A bot far end (bot-answer)
 * is started when `bot` is given, else the bot's sipUri points at a port nobody listens on.
 */
export async function callSetup(carrier: FarEndSpec, options: { bot?: FarEndSpec; daemonBot?: Record<string, unknown>; overrides?: Record<string, unknown> } = {}): Promise<CallSetup> {
  const [carrierSipp, botSipp] = await Promise.all([farEnd(carrier), options.bot ? farEnd(options.bot) : Promise.resolve(undefined)]);
  const daemon = await startTestDaemon({
    carrierPort: carrierSipp.port,
    botPort: botSipp?.port ?? 9,
    ...(options.daemonBot && { bot: options.daemonBot }),
    ...(options.overrides && { overrides: options.overrides }),
  });
  onCleanup(() => daemon.stop());
  return { carrier: carrierSipp, bot: botSipp, daemon };
}

/** A fresh notifyUrl path on the listener, one per call. */
/**
 * Places an AudioCodes dialout to the default trunk with AMD disabled (`fields` add to or override it), its
 * notifications on a fresh path of `listener`, and expects it accepted.
 */
export async function placeDialout(url: string, listener: NotifyListener, fields: Record<string, unknown> = {}): Promise<{ path: string; conversationId: string }> {
  const path = notifyPath();
  const res = await dialoutAudiocodes(url, { bot: 'Bot1', target: 'tel:+15551234567', caller: '+15550001111', machineDetection: 'disabled', notifyUrl: listener.url(path), ...fields });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return { path, conversationId: res.json.conversationId as string };
}

export function notifyPath(): string {
  return `/notify/${randomUUID()}`;
}

/** Waits until `count` notifications were delivered (2xx) on `path`, then a little longer to catch extras. */
export async function deliveredOn(listener: NotifyListener, path: string, count: number, timeoutMs = 15_000): Promise<Notification[]> {
  await listener.waitFor(() => listener.delivered(path).length >= count, timeoutMs);
  await new Promise((r) => setTimeout(r, 300));
  return listener.delivered(path);
}

/** Whether every request on the path carries a valid SAVG-Signature for its exact body. */
export function allSigned(ns: Notification[]): boolean {
  return ns.length > 0 && ns.every((n) => verifyNotificationSignature(SIGNING_SECRET, String(n.headers['savg-signature'] ?? ''), n.rawBody));
}

export function bodies(ns: Notification[]): Record<string, any>[] {
  return ns.map((n) => n.body as Record<string, any>);
}

/** Polls GET /api/v1/calls/:id until the record's status is final. */
export async function finalRecord(get: () => Promise<any>, timeoutMs = 10_000): Promise<any> {
  return untilValue('a final call record', get, (rec) => rec?.status === 'completed' || rec?.status === 'failed', timeoutMs, 100);
}

/** A UDP port that takes SIP and never answers, keeping what it was sent (closed at cleanup). */
export async function silentPeer(): Promise<{ port: number; received: () => string[] }> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, received: () => [...received] };
}
