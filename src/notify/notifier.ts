// Durable, ordered notification delivery. notify() writes the outbox first; delivery then runs per call
// (entry n+1 of a call waits for n to be delivered or given up), under a global cap on requests in flight,
// so a slow notifyUrl holds back only its own call.
//
// Each entry this daemon knows of has one phase (see `Phase`); every decision reads it and every step
// moves it, so an entry cannot be both sent and taken up again by an adoption working from an old listing.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import { backoffDelay, type Backoff } from '../retry/backoff.js';
import type { OutboxEntry, Store } from '../store/index.js';
import { attemptDelivery } from './attempt.js';
import { entryId, ownerOf } from './entry-id.js';
import { finish, forgetFinished, joinQueue, leaveQueue, type Phase, type Tracked } from './outbox-phase.js';
import { deliverUnwritten, type UnwrittenNotification } from './unwritten.js';

export interface NotifierOptions {
  store: Store;
  /** Keys that sign every request, newest first (notifications.signingSecrets); all sign during a rotation. */
  signingSecrets?: readonly string[];
  /** A single key; used when signingSecrets is not given. */
  signingSecret?: string;
  timeoutMs: number;
  /** Attempts after the first before an entry is given up. */
  retries: number;
  logger: Logger;
  /** This daemon's id: entries of another owner are taken over only once that owner is no longer alive. */
  owner?: string;
  /** Requests in flight at once, over all calls. */
  concurrency?: number;
  /** Delivery counters, when the daemon keeps metrics. */
  metrics?: Pick<Metrics, 'notificationDeliveries' | 'notificationRetries'>;
  /** First retry delay; each further retry doubles it up to retryMaxMs (less up to a fifth, at random). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class Notifier {
  /** Every entry this daemon knows of, by id. */
  private readonly entries = new Map<string, Tracked>();
  /** Per call, its entries not yet delivered or given up (writing, waiting, sending), in seq order. */
  private readonly queues = new Map<string, Tracked[]>();
  /** The next seq per call, kept only while the call has an entry here. */
  private readonly nextSeq = new Map<string, number>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly idleWaiters = new Set<() => void>();
  private wakeup: { at: number; timer: NodeJS.Timeout } | undefined;
  private stopController = new AbortController();
  private running = false;
  private lastPrune = 0;
  private readonly concurrency: number;
  private readonly backoff: Backoff;
  private readonly secrets: readonly string[];

  constructor(private readonly options: NotifierOptions) {
    this.concurrency = options.concurrency ?? 32;
    this.backoff = { baseMs: options.retryBaseMs ?? 1000, maxMs: options.retryMaxMs ?? 60000 };
    const secrets = options.signingSecrets ?? (options.signingSecret !== undefined ? [options.signingSecret] : []);
    if (secrets.length === 0) throw new Error('Notifier: at least one signing secret is needed');
    this.secrets = secrets;
  }

  /**
   * Queues a notification; resolves once it is durably in the outbox (not when delivered). A caller that
   * retries a failed notify passes the same `entryKey` each time: a write that timed out may still land in
   * the store, and the retry must overwrite it rather than add a second entry that would be sent again.
   * The key is also the notification's webhook-id.
   */
  async notify(conversationId: string, url: string, body: object, headers: Record<string, string> = {}, entryKey?: string): Promise<void> {
    this.prune();
    const id = entryId(this.options.owner, entryKey ?? randomUUID());
    const known = this.entries.get(id);
    if (known) {
      // A retried notify whose first write landed after all (and was adopted): write it again, send it once.
      if (known.phase === 'waiting' || known.phase === 'writing') await this.options.store.outboxAdd(known.entry);
      return;
    }
    const now = Date.now();
    const entry: OutboxEntry = {
      id,
      conversationId,
      seq: this.takeSeq(conversationId),
      url,
      headers,
      body: JSON.stringify(body),
      attempts: 0,
      notBefore: now,
      createdAt: now,
    };
    // Queued before the write so a call's entries keep their order; not sent until the write is done.
    const tracked = this.track(entry, 'writing');
    try {
      await this.options.store.outboxAdd(entry);
    } catch (err) {
      this.untrack(tracked);
      throw err;
    }
    tracked.phase = 'waiting';
    this.pump();
  }

  /** Starts delivering, including entries a previous run (or a dead owner) left in the outbox. */
  async start(): Promise<void> {
    if (this.running) return;
    this.stopController = new AbortController();
    this.running = true;
    await this.adoptOrphans();
  }

  /**
   * Takes over outbox entries this daemon does not hold yet: its own from a previous run, and those of
   * owners that are no longer alive. start() does it once; the daemon repeats it so a daemon that dies
   * later still gets its notifications delivered by another.
   */
  async adoptOrphans(): Promise<void> {
    if (!this.running) return;
    this.prune();
    const listing = await this.options.store.outboxList();
    const alive = new Map<string, boolean>();
    for (const entry of listing) {
      const known = this.entries.get(entry.id);
      if (known?.phase === 'unremoved') {
        await this.options.store.outboxRemove(entry.id).then(
          () => finish(known),
          () => undefined,
        );
        continue;
      }
      if (known) continue;
      const owner = ownerOf(entry.id);
      if (owner !== undefined && owner !== this.options.owner) {
        if (!alive.has(owner)) alive.set(owner, await this.options.store.isAlive(owner));
        if (alive.get(owner)) continue;
      }
      // Checked again after the awaits above: the entry may have been taken up or delivered meanwhile.
      if (this.entries.has(entry.id)) continue;
      this.track(entry, 'waiting');
      this.nextSeq.set(entry.conversationId, Math.max(this.nextSeq.get(entry.conversationId) ?? 0, entry.seq + 1));
    }
    this.pump();
  }

  /** Number of notifications not yet delivered or given up. */
  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** A notification the outbox could not take (the store down while stopping): sent directly, or logged whole. */
  deliverUnwritten(n: UnwrittenNotification): Promise<void> {
    return deliverUnwritten(n, this.secrets, this.options.timeoutMs, this.options.logger);
  }

  /** Waits until every queued notification is delivered or given up, or timeoutMs passes. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.pending() === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** Stops delivering once the requests in flight are settled; undelivered entries stay in the outbox for the next start(). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    this.wakeup = undefined;
    await Promise.allSettled([...this.deliveries]);
  }

  private takeSeq(conversationId: string): number {
    const seq = this.nextSeq.get(conversationId) ?? 0;
    this.nextSeq.set(conversationId, seq + 1);
    return seq;
  }

  private track(entry: OutboxEntry, phase: Phase): Tracked {
    const tracked: Tracked = { entry, phase };
    this.entries.set(entry.id, tracked);
    joinQueue(this.queues, tracked);
    return tracked;
  }

  private untrack(tracked: Tracked): void {
    leaveQueue(this.queues, tracked);
    this.entries.delete(tracked.entry.id);
  }

  /** Forgets finished entries after a while, and the seq counters of calls with nothing left here. */
  private prune(): void {
    const now = Date.now();
    if (now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    forgetFinished(this.entries, this.nextSeq, now);
  }

  /** Starts a delivery for every call whose next entry is due, up to the concurrency cap. */
  private pump(): void {
    if (!this.running) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const q of this.queues.values()) {
      if (this.deliveries.size >= this.concurrency) return;
      const head = q[0];
      if (head?.phase !== 'waiting') continue;
      if (head.entry.notBefore > now) {
        earliest = Math.min(earliest, head.entry.notBefore);
        continue;
      }
      head.phase = 'sending';
      const delivery: Promise<void> = this.deliver(head)
        .catch((err: unknown) => this.options.logger.error({ err }, 'notification delivery failed unexpectedly'))
        .finally(() => {
          this.deliveries.delete(delivery);
          this.pump();
          this.settleWaiters();
        });
      this.deliveries.add(delivery);
    }
    if (earliest !== Infinity) this.wakeAt(earliest);
  }

  /** One timer for the earliest due retry; a later pump sets it again for what is still waiting. */
  private wakeAt(at: number): void {
    if (this.wakeup && this.wakeup.at <= at) return;
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    const timer = setTimeout(() => {
      this.wakeup = undefined;
      this.pump();
    }, Math.max(0, at - Date.now()));
    this.wakeup = { at, timer };
  }

  private async deliver(tracked: Tracked): Promise<void> {
    const { entry } = tracked;
    const log = this.options.logger.child({ conversationId: entry.conversationId, seq: entry.seq });
    const result = await attemptDelivery(entry, this.secrets, this.options.timeoutMs, this.stopController.signal);
    if (!this.running && result.outcome === 'retry') {
      tracked.phase = 'waiting'; // stopped mid-request: the next run retries it
      return;
    }
    if (result.outcome === 'retry' && entry.attempts < this.options.retries) {
      entry.attempts += 1;
      this.options.metrics?.notificationRetries.inc();
      this.options.metrics?.notificationDeliveries.inc({ result: 'failed' });
      entry.notBefore = Date.now() + backoffDelay(entry.attempts, this.backoff);
      log.warn({ url: entry.url, attempt: entry.attempts, detail: result.detail }, 'notification failed, will retry');
      await this.persist(() => this.options.store.outboxUpdate(entry), log);
      tracked.phase = 'waiting';
      return;
    }
    this.options.metrics?.notificationDeliveries.inc({ result: result.outcome === 'delivered' ? 'delivered' : 'given-up' });
    if (result.outcome === 'delivered') log.debug({ status: result.status }, 'notification delivered');
    else log.error({ url: entry.url, attempts: entry.attempts + 1, detail: result.detail }, 'notification given up');
    tracked.phase = 'removing';
    tracked.finishedAt = Date.now();
    leaveQueue(this.queues, tracked);
    if (await this.persist(() => this.options.store.outboxRemove(entry.id), log)) finish(tracked);
    else tracked.phase = 'unremoved';
  }

  /** Whether the store took the write. */
  private async persist(op: () => Promise<void>, log: Logger): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (err) {
      // The in-memory queue stays authoritative for this run; only another daemon could resend a stale entry.
      log.warn({ err }, 'outbox update failed');
      return false;
    }
  }

  private settleWaiters(): void {
    if (this.pending() > 0) return;
    for (const w of [...this.idleWaiters]) w();
  }
}
