// The trunks one call goes out through (docs/trunks.md): the first that is usable and within its limits,
// then, after a carrier failure, the next. Each attempt holds a slot on its trunk until it fails over or
// the call ends, and is written down as { trunk, status, reason } for the call record.

import type { AccountConfig, TrunkConfig } from '../config/index.js';
import type { TrunkAttempt } from '../domain/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Store } from '../store/index.js';
import { classifyFailure, failsOver } from './failover.js';
import { fromHostFor, inviteHeadersFor } from './invite-headers.js';
import { trunkKey, trunkLimitMessage, trunkLimits } from './limits.js';
import { orderTrunks } from './selection.js';
import { resolvesByDns } from './trunk-address.js';
import { hopUri, type SipHop } from '../dns/index.js';

/** One attempt as the call record and the final notification show it. */
export type TrunkAttemptRecord = TrunkAttempt;

/** What a call tells its route about itself. */
export interface RoutedCall {
  conversationId: string;
  account: AccountConfig;
  /** The trunk the dialout named, if it named one: then only that trunk is tried. */
  requestedTrunk?: string;
  /** The trunk routing picked at dialout time (named or default); undefined for a sip: target sent to its own host. */
  trunk?: TrunkConfig;
  target: string;
  caller?: string;
  callerHost?: string;
  sipHeaders?: Record<string, string>;
}

export interface RouteServices {
  store: Pick<Store, 'admitTrunk' | 'releaseTrunk'>;
  /** Whether the trunk answers its pings and holds its registration (TrunkHealth.usable). */
  usable(account: string, trunk: string): boolean;
  /** `calls.maxCallDurationSec`: how long a trunk slot may be held. */
  maxCallDurationSec: number;
  /** Builds the Request-URI of `target` through `trunk`. */
  requestUri(target: string, trunk: TrunkConfig): string;
  metrics?: Pick<Metrics, 'trunkAttempts'>;
  random?: () => number;
  /**
   * The addresses of a trunk that is a domain without a port, best first (RFC 3263, src/dns); never
   * rejects. Without it such a trunk is sent to by name and the SIP edge looks it up.
   */
  resolve?(trunk: TrunkConfig): Promise<SipHop[]>;
}

/** One INVITE through one trunk: where it goes and what the trunk adds to it. */
export interface TrunkInvite {
  trunk: TrunkConfig;
  requestUri: string;
  /** The trunk's headers (templates filled in), Privacy, and the dialout's sipHeaders. */
  headers: Record<string, string>;
  /** Host part of the From URI on this trunk, when the trunk or the dialout names one. */
  fromHost?: string;
  auth?: { username: string; password: string };
  /** Where the INVITE is sent when DNS chose the address (drachtio-srf's `proxy`); the Request-URI keeps the domain. */
  proxy?: string;
}

/** Why no trunk can take a dialout now: 429 when every usable trunk is at a limit, 503 when none is usable. */
export type RouteRefusal = { status: 429 | 503; error: string };

/** How an attempt failed, as the call's INVITE saw it. */
export interface AttemptFailureFacts {
  status: number;
  reason: string;
  /** False for the 408/503 the SIP stack makes up (no response, transport error). */
  fromFarEnd: boolean;
}

export class TrunkRoute {
  readonly attempts: TrunkAttemptRecord[] = [];
  private queue: TrunkConfig[] = [];
  private current: TrunkConfig | undefined;
  /** Whether the attempt in progress is written down already. */
  private currentRecorded = false;
  /** The current trunk's INVITE and the addresses DNS gave for it that are not tried yet. */
  private currentInvite: TrunkInvite | undefined;
  private hopsLeft: SipHop[] = [];
  private released = false;

  constructor(
    private readonly call: RoutedCall,
    private readonly services: RouteServices,
  ) {}

  /** The trunk of the attempt in progress or the last one made. */
  get trunk(): string | undefined {
    return this.current?.name ?? this.attempts.at(-1)?.trunk;
  }

  /**
   * Takes the first trunk that is usable and within its limits. A sip: target sent to its own host needs
   * no trunk (undefined). Throws only what the store throws (StoreUnavailableError).
   */
  async start(): Promise<TrunkInvite | undefined | RouteRefusal> {
    const { call } = this;
    if (!call.trunk) return undefined;
    const candidates = call.requestedTrunk !== undefined ? [call.trunk] : call.account.trunks;
    this.queue = orderTrunks(candidates, { usable: (t) => this.services.usable(call.account.name, t.name), ...(this.services.random && { random: this.services.random }) });
    if (this.queue.length === 0) {
      const which = candidates.length === 1 ? `trunk "${candidates[0]!.name}" is not up` : `no trunk of account "${call.account.name}" is up`;
      return { status: 503, error: `${which} (not answering its OPTIONS pings, or its registration failed)` };
    }
    const refusals: string[] = [];
    const attempt = await this.admitNext(refusals);
    return attempt ?? { status: 429, error: refusals.join('; ') };
  }

  /**
   * After an attempt failed: writes it down and, when the failure is a carrier's and another trunk can take
   * the call, moves to that trunk. undefined means the call ends with this failure.
   */
  async failover(failure: AttemptFailureFacts): Promise<TrunkInvite | undefined> {
    const trunk = this.current;
    if (!trunk) return undefined;
    const kind = classifyFailure(failure.status, failure.fromFarEnd);
    this.record(trunk, failure.status, failure.reason, kind.kind === 'status' ? String(failure.status) : kind.kind);
    // RFC 3263 §4.3: no answer, a transport error or a 503 moves on to the trunk's next address first.
    const hop = this.hopsLeft.shift();
    if (hop && this.currentInvite && !this.released && (kind.kind !== 'status' || failure.status === 503)) {
      this.currentRecorded = false;
      return { ...this.currentInvite, proxy: hopUri(hop) };
    }
    this.hopsLeft = [];
    if (!failsOver(kind, trunk.failoverOn)) return undefined;
    await this.releaseCurrent();
    const next = await this.admitNext([]).catch(() => undefined);
    // The call ended while the next trunk was being admitted: its slot goes back at once.
    if (next && this.released) {
      await this.releaseCurrent();
      return undefined;
    }
    return next;
  }

  /** The attempt in progress was answered. */
  answered(): void {
    if (this.current) this.record(this.current, 200, 'OK', '200');
  }

  /** The attempt in progress ended without an answer and without failover (a CANCEL, the daemon stopping). */
  ended(status: number, reason: string): void {
    if (this.current) this.record(this.current, status, reason, String(status));
  }

  /** Frees the slot the call holds on its trunk; the call's end. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.releaseCurrent();
  }

  private record(trunk: TrunkConfig, status: number, reason: string, label: string): void {
    if (trunk === this.current) {
      if (this.currentRecorded) return;
      this.currentRecorded = true;
    }
    this.attempts.push({ trunk: trunk.name, status, reason });
    this.services.metrics?.trunkAttempts.inc({ account: this.call.account.name, trunk: trunk.name, status: label });
  }

  private async releaseCurrent(): Promise<void> {
    const trunk = this.current;
    if (!trunk) return;
    this.current = undefined;
    await this.services.store.releaseTrunk(trunkKey(this.call.account.name, trunk.name), this.call.conversationId);
  }

  /** Admits the next trunk in the queue that is within its limits; each refusal's reason goes to `refusals`. */
  private async admitNext(refusals: string[]): Promise<TrunkInvite | undefined> {
    const { call, services } = this;
    while (this.queue.length > 0 && !this.released) {
      const trunk = this.queue.shift()!;
      if (this.attempts.length > 0 && !services.usable(call.account.name, trunk.name)) continue;
      const admission = await services.store.admitTrunk(trunkKey(call.account.name, trunk.name), call.conversationId, trunkLimits(trunk, services.maxCallDurationSec));
      if (!admission.admitted) {
        refusals.push(trunkLimitMessage(trunk, admission.reason));
        continue;
      }
      this.current = trunk;
      this.currentRecorded = false;
      return this.attemptOn(trunk, resolvesByDns(trunk) && services.resolve ? await services.resolve(trunk) : []);
    }
    return undefined;
  }

  private attemptOn(trunk: TrunkConfig, hops: SipHop[]): TrunkInvite {
    const { call } = this;
    const fromHost = fromHostFor(trunk, call.callerHost, '');
    const [first, ...rest] = hops;
    this.hopsLeft = rest;
    const invite: TrunkInvite = {
      trunk,
      requestUri: this.services.requestUri(call.target, trunk),
      headers: inviteHeadersFor(trunk, {
        target: call.target,
        conversationId: call.conversationId,
        ...(call.caller !== undefined && { caller: call.caller }),
        ...(call.sipHeaders && { sipHeaders: call.sipHeaders }),
      }),
      ...(fromHost !== '' && { fromHost }),
      ...(trunk.auth && { auth: { username: trunk.auth.username, password: trunk.auth.password } }),
    };
    this.currentInvite = invite;
    return first ? { ...invite, proxy: hopUri(first) } : invite;
  }
}
