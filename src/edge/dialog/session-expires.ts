import { parseParams } from '../message/index.js';

/** A Session-Expires value (RFC 4028 §4): the session interval and who refreshes it. */
export interface SessionExpires {
  seconds: number;
  refresher: 'uac' | 'uas' | undefined;
}

export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  const m = /^\s*(\d{1,10})\s*(;.*)?$/.exec(value ?? '');
  if (!m || Number(m[1]) === 0) return undefined;
  const refresher = parseParams(m[2] ?? '').get('refresher')?.toLowerCase();
  return { seconds: Number(m[1]), refresher: refresher === 'uac' || refresher === 'uas' ? refresher : undefined };
}

/**
 * When the refresher acts (§10): half way through the interval. When the other side refreshes, the session
 * is over at the interval less a third of it, and never less than 32 s before its end.
 */
export function refreshDelayMs(seconds: number): number {
  return (seconds * 1000) / 2;
}

export function expiryDelayMs(seconds: number): number {
  return (seconds - Math.min(32, seconds / 3)) * 1000;
}

/** The text drachtio-server puts in the BYE that ends an expired session, and which apps read. */
export const sessionExpiredReason = 'SIP;cause=200;text="Session timer expired"';
