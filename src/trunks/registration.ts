// REGISTER with a carrier that wants it (`register: { username, password, expiresSec }`, docs/trunks.md):
// RFC 3261 §10.2 with digest credentials, one Call-ID and a rising CSeq for the binding's life, refreshed
// before the registrar's granted expiry runs out, retried with backoff when it fails, removed on stop.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { backoffDelay } from '../retry/backoff.js';
import type { FinalResponse, SipRequester } from './sip-request.js';

export type RegistrationState = 'registering' | 'registered' | 'failed' | 'unregistered';

export interface RegistrationOptions {
  /** The registrar: the trunk's host, port and transport (sip:host:port). */
  uri: string;
  /** The trunk's host: the domain of the address of record. */
  domain: string;
  username: string;
  password: string;
  expiresSec: number;
  request: SipRequester;
  logger: Logger;
  /** Told on every change of state. */
  onChange(state: RegistrationState): void;
  /** How long to wait for a final response to one REGISTER. */
  responseTimeoutMs?: number;
  /** Whether our own SIP edge is connected: while it is not, the REGISTER waits for it (no failure counted). */
  edgeConnected?: () => boolean;
  /** Retry schedule after a failed REGISTER; default 1 s doubling up to 60 s. */
  retryBackoff?: { baseMs: number; maxMs: number };
}

/** What the health report shows of a registration. */
export interface RegistrationReport {
  state: RegistrationState;
  /** ISO time the current binding lapses unless refreshed. */
  expiresAt?: string;
  /** Why the last attempt failed. */
  lastError?: string;
}

/** Seconds before the granted expiry at which the binding is refreshed: half of it, at most 30 s early. */
export function refreshAfterSec(grantedSec: number): number {
  return Math.max(grantedSec / 2, grantedSec - 30);
}

/**
 * The expiry the registrar granted (§10.2.4): our Contact's expires parameter, else the Expires header,
 * else what was asked.
 */
export function grantedExpiresSec(res: FinalResponse, askedSec: number): number {
  const contact = res.header('Contact');
  const param = contact ? /;\s*expires\s*=\s*(\d+)/i.exec(contact) : null;
  const value = param ? Number(param[1]) : Number(res.header('Expires') ?? NaN);
  return Number.isFinite(value) && value > 0 ? value : askedSec;
}

export class TrunkRegistration {
  private current: RegistrationState = 'unregistered';
  private readonly callId = `${randomUUID()}@outdial`;
  private cseq = 1;
  private expiresAt: number | undefined;
  private lastError: string | undefined;
  private failures = 0;
  private askSec: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: RegistrationOptions) {
    this.askSec = options.expiresSec;
  }

  get state(): RegistrationState {
    return this.current;
  }

  report(): RegistrationReport {
    return {
      state: this.current,
      ...(this.expiresAt !== undefined && this.current === 'registered' && { expiresAt: new Date(this.expiresAt).toISOString() }),
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState('registering');
    this.schedule(0);
  }

  /** Stops refreshing and, when registered, removes the binding (Expires: 0), waiting at most timeoutMs. */
  async stop(timeoutMs = 2000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (this.current !== 'registered') return;
    await this.send(0, timeoutMs);
    this.setState('unregistered');
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.inFlight = this.register();
    }, delayMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    if (!(this.options.edgeConnected?.() ?? true)) {
      this.schedule(1000);
      return;
    }
    const asked = this.askSec;
    const result = await this.send(asked, this.options.responseTimeoutMs ?? 32000);
    if (this.stopped) return;
    if (result !== 'timeout' && result.status >= 200 && result.status < 300) {
      const granted = grantedExpiresSec(result, asked);
      this.expiresAt = Date.now() + granted * 1000;
      this.failures = 0;
      this.lastError = undefined;
      this.setState('registered');
      this.options.logger.debug({ registrar: this.options.uri, granted }, 'trunk registered');
      this.schedule(refreshAfterSec(granted) * 1000);
      return;
    }
    // §10.2.8: the registrar wants a longer interval; ask again at once with its minimum.
    const minExpires = result === 'timeout' ? NaN : Number(result.header('Min-Expires'));
    if (result !== 'timeout' && result.status === 423 && Number.isFinite(minExpires) && minExpires > asked) {
      this.askSec = minExpires;
      this.schedule(0);
      return;
    }
    this.failures++;
    this.lastError = result === 'timeout' ? 'no response from the registrar' : `${result.status} ${result.reason}`;
    // A binding still in force stays usable while the retries go on; one that lapsed has failed.
    if (this.expiresAt === undefined || this.expiresAt <= Date.now()) this.setState('failed');
    const delay = backoffDelay(this.failures, this.options.retryBackoff ?? { baseMs: 1000, maxMs: 60000 });
    this.options.logger.warn({ registrar: this.options.uri, err: this.lastError, retryInMs: Math.round(delay) }, 'trunk registration failed; retrying');
    this.schedule(delay);
  }

  private async send(expiresSec: number, timeoutMs: number): Promise<FinalResponse | 'timeout'> {
    const { username, domain, password } = this.options;
    const aor = `<sip:${username}@${domain}>`;
    const result = await this.options.request(
      this.options.uri,
      {
        method: 'REGISTER',
        headers: {
          From: aor,
          To: aor,
          // The SIP edge writes its own address for localhost (embedded edge and drachtio-server alike).
          Contact: `<sip:${username}@localhost>`,
          'Call-ID': this.callId,
          CSeq: `${this.cseq} REGISTER`,
          Expires: String(expiresSec),
        },
        auth: { username, password },
      },
      timeoutMs,
    );
    // A challenge answered by drachtio-srf used the next CSeq; the next request goes after the last one sent.
    const answered = result === 'timeout' ? NaN : Number(/^\s*(\d+)/.exec(result.header('CSeq') ?? '')?.[1]);
    this.cseq = (Number.isFinite(answered) ? Math.max(this.cseq, answered) : this.cseq) + 1;
    return result;
  }

  private setState(state: RegistrationState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onChange(state);
  }
}

