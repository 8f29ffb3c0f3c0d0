import { systemClock, type CallRecord, type Clock } from '../domain/index.js';
import type { Config } from '../config/index.js';
import type { CallLauncher } from '../dialout/index.js';

export interface CallLookup {
  get(conversationId: string): Promise<CallRecord | undefined>;
}

export type DialoutAcceptance = { ok: true } | { ok: false; status: 503; error: string };

export interface ApiDeps {
  config: Config;
  launcher: CallLauncher;
  calls: CallLookup;
  /** Whether new dialouts are taken now (SIP edge connected, not shutting down). */
  acceptingDialouts(): DialoutAcceptance;
  /** Lifetime of OAuth access tokens from POST /oauth/token; default 3600 s. */
  tokenTtlSeconds?: number;
  /** The time tokens are issued and checked at (expiry, Kore JWT lifetime, failed-attempt window); the system's by default. */
  clock?: Clock;
}

/** The API's "now" in epoch ms, from the injected clock or the system's. */
export function apiNow(deps: ApiDeps): () => number {
  const clock = deps.clock ?? systemClock;
  return () => clock.now();
}
