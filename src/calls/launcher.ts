// The daemon's calls: admits dialouts against the bot's limits, starts and tracks each OutboundCall, ends
// them all on shutdown, and on start finishes the calls a dead daemon left behind.

import { DialoutRejected, routeTarget, targetAddresses, tlsPathExists, type CallLauncher, type DialoutRequest, type TargetAddresses } from '../dialout/index.js';
import { trunkKey, TrunkRoute, type TrunkInvite } from '../trunks/index.js';
import { SipResolver } from '../dns/index.js';
import { admissionLimits, orphanedCalls, StoreUnavailableError } from '../store/index.js';
import { isFinalStatus } from '../domain/index.js';
import { CallJournal, DirectWrites } from './call-journal.js';
import type { CallServices } from './call-services.js';
import { OutboundCall } from './outbound-call.js';

/** A call the launcher holds: counted, ended on shutdown or when the SIP edge is lost. */
export type HeldCall = Pick<OutboundCall, 'conversationId' | 'done' | 'isFinished' | 'terminate' | 'abandon'>;

export interface LauncherOptions {
  /** This daemon's id in the store (call ownership, outbox entries). */
  owner: string;
  /** Whether a SIP edge is connected now. */
  sipConnected(): boolean;
  /** Why the media path takes no new call now (media.mode freeswitch: no media server up), if it doesn't. */
  mediaRefusal?(): string | undefined;
}

export class Launcher implements CallLauncher {
  private readonly calls = new Map<string, HeldCall>();
  private accepting = true;
  /** Trunk domains and sip: target hosts resolved through NAPTR/SRV/A, cached for their TTL across calls (src/dns). */
  private readonly resolver: SipResolver;

  constructor(
    private readonly services: CallServices,
    private readonly options: LauncherOptions,
  ) {
    const dns = services.config.sip.dns;
    this.resolver = new SipResolver({ ...(dns?.servers && { servers: dns.servers }), ...(dns && { timeoutMs: dns.timeoutMs }) });
  }

  get active(): number {
    return this.calls.size;
  }

  /** Calls not ended yet (the active-calls gauge); calls still sending their BYEs are not counted. */
  get inProgress(): number {
    let n = 0;
    for (const call of this.calls.values()) if (!call.isFinished) n++;
    return n;
  }

  get(conversationId: string): HeldCall | undefined {
    return this.calls.get(conversationId);
  }

  /**
   * Holds a call that did not start as a dialout (a call a dialer sent in, docs/inbound.md) until it is
   * done, so the gauges, shutdown and a lost SIP edge treat it as any other.
   */
  hold(call: HeldCall): void {
    this.calls.set(call.conversationId, call);
    void call.done.then(() => {
      this.calls.delete(call.conversationId);
    });
  }

  /** Why a new dialout would be refused now, or undefined when it would be taken. */
  refusal(): string | undefined {
    if (!this.accepting) return 'outdial is shutting down';
    if (!this.options.sipConnected()) return 'no SIP edge is connected';
    const media = this.options.mediaRefusal?.();
    if (media) return media;
    const health = this.services.store.health();
    if (!health.ok) return `store unavailable: ${health.error ?? 'not connected'}`;
    return undefined;
  }

  async place(req: DialoutRequest): Promise<void> {
    const { store, metrics } = this.services;
    const refusal = this.refusal();
    if (refusal) {
      throw new DialoutRejected(503, refusal);
    }
    const limits = admissionLimits(req.bot);
    let admission;
    try {
      admission = await store.admit(req.bot.name, req.conversationId, limits);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw new DialoutRejected(503, err.message);
      throw err;
    }
    if (!admission.admitted) {
      if (admission.reason === 'rate') {
        metrics.dialoutsRejected.inc({ reason: 'rate-limit' });
        throw new DialoutRejected(429, `bot "${req.bot.name}" exceeds dialoutLimitPerSecond (${req.bot.dialoutLimitPerSecond} per second)`);
      }
      metrics.dialoutsRejected.inc({ reason: 'concurrency-limit' });
      throw new DialoutRejected(429, `bot "${req.bot.name}" has reached dialoutMaxConcurrentCalls (${req.bot.dialoutMaxConcurrentCalls})`);
    }
    const direct = await this.addressesFor(req);
    const route = await this.routeFor(req);
    const call = new OutboundCall(req, this.services, route, direct);
    // Held before it is marked active: housekeeping must never take this daemon's own call for an orphan.
    this.calls.set(req.conversationId, call);
    try {
      // Written before the 200 goes back: a daemon that dies now still leaves a call to recover.
      await store.markActive({ conversationId: req.conversationId, owner: this.options.owner, bot: req.bot.name, since: Date.now() });
      await store.putCall(call.record);
    } catch (err) {
      this.calls.delete(req.conversationId);
      await route?.trunks.release().catch(() => undefined);
      await store.release(req.bot.name, req.conversationId).catch(() => undefined);
      await store.markEnded(req.conversationId).catch(() => undefined);
      throw new DialoutRejected(503, `store unavailable: ${(err as Error).message}`);
    }
    metrics.dialoutsAccepted.inc({ bot: req.bot.name });
    void call.done.then(() => {
      this.calls.delete(req.conversationId);
    });
    call.start();
  }

  /**
   * Where a sip: target sent to its own host is tried, each address allowed by the account's policy
   * (src/dialout/target-address.ts). A dialout whose every address is refused gives the bot's slot back and
   * is refused as invalid (400), as a refused literal address is.
   */
  private async addressesFor(req: DialoutRequest): Promise<TargetAddresses | undefined> {
    if (req.trunk !== undefined) return undefined;
    let found;
    try {
      found = await targetAddresses(req.target, req.account, this.resolver, { tls: tlsPathExists(this.services.config) });
    } catch (err) {
      await this.services.store.release(req.bot.name, req.conversationId).catch(() => undefined);
      throw err;
    }
    if (found && found.refused.length > 0) {
      this.services.logger.warn({ conversationId: req.conversationId, refused: found.refused }, 'target addresses refused by the destination policy, not tried');
    }
    return found;
  }

  /**
   * The trunk the call starts on: the first usable one within its limits (docs/trunks.md). When none can
   * take it, the bot's slot goes back and the dialout is refused: 429 naming each trunk's limit, 503 when
   * no trunk is up.
   */
  private async routeFor(req: DialoutRequest): Promise<{ trunks: TrunkRoute; first: TrunkInvite } | undefined> {
    const { store, metrics, config } = this.services;
    const trunks = new TrunkRoute(req, {
      store,
      usable: (account, trunk) => this.services.trunks?.usable(account, trunk) ?? true,
      maxCallDurationSec: config.calls.maxCallDurationSec,
      requestUri: (target, trunk) => routeTarget(target, { name: req.account.name, trunks: [trunk] }, trunk.name, { tls: tlsPathExists(config) }).requestUri,
      resolve: (trunk) => this.resolver.resolve(trunk.host, trunk.transport),
      metrics,
    });
    let first;
    try {
      first = await trunks.start();
    } catch (err) {
      await store.release(req.bot.name, req.conversationId).catch(() => undefined);
      if (err instanceof StoreUnavailableError) throw new DialoutRejected(503, err.message);
      throw err;
    }
    if (first === undefined) return undefined;
    if ('status' in first) {
      await store.release(req.bot.name, req.conversationId).catch(() => undefined);
      // The API counts 503s by their status; a 429 only the launcher can tell apart.
      if (first.status === 429) metrics.dialoutsRejected.inc({ reason: 'trunk-limit' });
      throw new DialoutRejected(first.status, first.error);
    }
    return { trunks, first };
  }

  /** Stops taking dialouts; calls may go on for `graceMs`, then each is ended with a notification. */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.calls.values()].map((c) => c.done));
    if (this.calls.size > 0 && graceMs > 0) {
      await Promise.race([all(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    for (const call of this.calls.values()) call.terminate();
    // Bounded: a store that never comes back must not keep the process alive forever.
    await Promise.race([all(), new Promise((r) => setTimeout(r, this.services.cancelGraceMs + 5000).unref())]);
  }

  /** The SIP edge is gone with every dialog on it: each live call ends now with its final notification. */
  edgeLost(detail: string): void {
    for (const call of this.calls.values()) call.abandon(detail);
  }

  /**
   * Calls whose daemon died (its heartbeat lapsed, or this daemon restarted under the same owner id): they
   * cannot be owned any more, so each gets its final notification with reasonCode error and frees its slot.
   */
  async recoverOrphans(): Promise<number> {
    const { store, notifier, logger, metrics } = this.services;
    const orphans = await orphanedCalls(store, this.options.owner);
    // The dead owner's pending notifications first, so each final one queues after them, never before.
    if (orphans.length > 0) await notifier.adoptOrphans();
    let recovered = 0;
    for (const orphan of orphans) {
      if (this.calls.has(orphan.conversationId)) continue;
      if (!(await store.claimLease(`recover:${orphan.conversationId}`, this.options.owner, 60000))) continue;
      const record = await store.getCall(orphan.conversationId);
      if (record && !isFinalStatus(record.status)) {
        // This daemon writes for the lost one, under the recovery lease: no ownership check, and a failed
        // write fails this round of housekeeping, which tries again.
        const journal = new CallJournal(record, { store, notifier, metrics, logger: logger.child({ conversationId: record.conversationId }), owner: undefined, writes: new DirectWrites() }, { url: record.notifyUrl, headers: {} });
        record.takenOverBy = this.options.owner;
        const detail = 'call lost: its daemon stopped';
        journal.end(record.answeredAt !== undefined ? { kind: 'ended', by: 'outdial', cause: 'error', detail } : { kind: 'not-answered', cause: 'error', detail }, Date.now());
        // The slot it held on its trunk, so the trunk's maxConcurrentCalls does not wait for the slot to lapse.
        if (record.trunk !== undefined) journal.write('trunk slot release', () => store.releaseTrunk(trunkKey(record.account, record.trunk!), record.conversationId));
        await journal.settled();
      } else {
        await store.release(orphan.bot, orphan.conversationId);
        await store.markEnded(orphan.conversationId);
      }
      recovered++;
      logger.warn({ conversationId: orphan.conversationId, owner: orphan.owner }, 'recovered a call its daemon left behind');
    }
    return recovered;
  }
}
