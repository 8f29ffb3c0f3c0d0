import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'SAVG-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as in seed 000's notification headers. */
export function signNotification(secret: string, body: string, unixSeconds: number = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** For dialers: whether a SAVG-Signature header is valid for the body and no older than toleranceSec. */
export function verifyNotificationSignature(
  secret: string,
  header: string,
  body: string,
  toleranceSec = 300,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const v1 = parts.v1;
  if (!Number.isInteger(t) || typeof v1 !== 'string' || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowSeconds - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}
