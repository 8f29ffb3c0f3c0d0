// One POST of one notification, classified: delivered, retry later (5xx, timeout, refused), or final failure.

import type { OutboxEntry } from '../store/index.js';
import { deliveryRefusal, guardedDispatcher, refusedByPolicy } from './destination-guard.js';
import { webhookIdOf } from './entry-id.js';
import { signatureHeader, webhookHeaders, webhookIdHeader, webhookSignatureHeader, webhookTimestampHeader } from './signature.js';

export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; detail: string }
  | { outcome: 'final'; detail: string };

/** Headers outdial owns; a dialer's notifyHeaders cannot replace them. */
const reserved = new Set(
  ['content-length', 'content-type', signatureHeader, webhookIdHeader, webhookTimestampHeader, webhookSignatureHeader, 'host', 'transfer-encoding', 'connection'].map((h) => h.toLowerCase()),
);

export function requestHeaders(entry: OutboxEntry, secrets: readonly string[], unixSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers)) {
    if (!reserved.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-type'] = 'application/json';
  headers['user-agent'] ??= 'outdial';
  return { ...headers, ...webhookHeaders(secrets, webhookIdOf(entry.id), entry.body, unixSeconds) };
}

export async function attemptDelivery(entry: OutboxEntry, secrets: readonly string[], timeoutMs: number, stop: AbortSignal): Promise<AttemptResult> {
  let res: Response;
  // The destination policy (README "Security"), on the address actually connected to: no DNS rebinding.
  const refused = deliveryRefusal(entry.url);
  if (refused !== undefined) return { outcome: 'final', detail: `destination refused: ${refused}` };
  try {
    res = await fetch(entry.url, {
      dispatcher: guardedDispatcher(),
      method: 'POST',
      headers: requestHeaders(entry, secrets),
      body: entry.body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { outcome: 'retry', detail: `no response within ${timeoutMs} ms` };
    if (e.name === 'AbortError') return { outcome: 'retry', detail: 'stopped' };
    if (refusedByPolicy(e)) return { outcome: 'final', detail: e.cause?.message ?? 'destination refused' };
    // fetch reports network failures (refused, reset, DNS) as TypeError with the socket error as cause.
    if (e.name === 'TypeError' && e.cause) return { outcome: 'retry', detail: e.cause.code ?? e.cause.message ?? e.message };
    return { outcome: 'final', detail: e.message };
  }
  // Drain the body so the connection can be reused; its content does not matter.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { outcome: 'delivered', status: res.status };
  if (res.status >= 500) return { outcome: 'retry', detail: `HTTP ${res.status}` };
  return { outcome: 'final', detail: `HTTP ${res.status}` };
}
