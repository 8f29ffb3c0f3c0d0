// How a receiver knows a notification came from outdial and is fresh. Two forms on every POST, from one
// timestamp and the same keys (docs/operations.md, "Verifying webhooks"):
//  - SAVG-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (one v1 per signing secret);
//  - Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature
//    `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (space-separated, one per signing secret).
// During a key rotation every secret in notifications.signingSecrets signs, newest first, so a receiver
// holding either the old or the new key verifies every request.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'SAVG-Signature';
export const webhookIdHeader = 'webhook-id';
export const webhookTimestampHeader = 'webhook-timestamp';
export const webhookSignatureHeader = 'webhook-signature';

/** Seconds a receiver should accept between webhook-timestamp (or t=) and its own clock. */
export const recommendedToleranceSec = 300;

/** A Standard Webhooks secret `whsec_<base64>` is its decoded bytes; any other secret is its UTF-8 text. */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** The keys that sign: notifications.signingSecrets (newest first) when set, else the single signingSecret. */
export function signingSecretsOf(notifications: { signingSecret: string; signingSecrets?: readonly string[] | undefined }): readonly string[] {
  return notifications.signingSecrets?.length ? notifications.signingSecrets : [notifications.signingSecret];
}

const asList = (secrets: string | readonly string[]): readonly string[] => (typeof secrets === 'string' ? [secrets] : secrets);

/** `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: one v1 per secret, newest first. */
export function signNotification(secrets: string | readonly string[], body: string, unixSeconds: number = Math.floor(Date.now() / 1000)): string {
  const v1s = asList(secrets).map((s) => `v1=${createHmac('sha256', signingKey(s)).update(`${unixSeconds}.${body}`).digest('hex')}`);
  return [`t=${unixSeconds}`, ...v1s].join(',');
}

/** `v1,<base64>[ v1,<base64>…]` over "id.timestamp.body": the Standard Webhooks signature. */
export function signWebhook(secrets: string | readonly string[], id: string, unixSeconds: number, body: string): string {
  return asList(secrets)
    .map((s) => `v1,${createHmac('sha256', signingKey(s)).update(`${id}.${unixSeconds}.${body}`).digest('base64')}`)
    .join(' ');
}

/** The four signing headers of one POST, all from the same timestamp. */
export function webhookHeaders(secrets: string | readonly string[], id: string, body: string, unixSeconds: number = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    [signatureHeader]: signNotification(secrets, body, unixSeconds),
    [webhookIdHeader]: id,
    [webhookTimestampHeader]: String(unixSeconds),
    [webhookSignatureHeader]: signWebhook(secrets, id, unixSeconds, body),
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** For dialers: whether a SAVG-Signature header is valid for the body with `secret` and no older than toleranceSec. */
export function verifyNotificationSignature(
  secret: string,
  header: string,
  body: string,
  toleranceSec = recommendedToleranceSec,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=', 2));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSec) return false;
  const expected = createHmac('sha256', signingKey(secret)).update(`${t}.${body}`).digest();
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v) && sameBytes(expected, Buffer.from(v, 'hex')));
}

/** For dialers: whether webhook-signature holds a valid v1 for `secret` and webhook-timestamp is fresh. */
export function verifyWebhookSignature(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  toleranceSec = recommendedToleranceSec,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  const t = Number(headers.timestamp);
  if (!/^\d+$/.test(headers.timestamp) || Math.abs(nowSeconds - t) > toleranceSec) return false;
  const expected = createHmac('sha256', signingKey(secret)).update(`${headers.id}.${headers.timestamp}.${body}`).digest();
  return headers.signature.split(' ').some((sig) => {
    const [version, value] = sig.split(',', 2);
    return version === 'v1' && value !== undefined && sameBytes(expected, Buffer.from(value, 'base64'));
  });
}
