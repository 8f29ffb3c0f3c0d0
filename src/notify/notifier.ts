// Durable, ordered notification delivery. notify() writes the outbox first; delivery then runs per call
// (entry n+1 of a call waits for n to be delivered or given up), under a global cap on requests in flight,
// so a slow notifyUrl holds back only its own call.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { OutboxEntry, Store } from '../store/index.js';
import type { Metrics } from '../metrics/index.js';
import { attemptDelivery } from './attempt.js';

export interface NotifierOptions {
  store: Store;
  signingSecret: string;
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
  /** First retry delay; each further retry doubles it up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const ownerSeparator = '~';

function ownerOf(entry: OutboxEntry): string | undefined {
  const i = entry.id.indexOf(ownerSeparator);
  return i < 0 ? undefined : entry.id.slice(0, i);
}

export class Notifier {
  private readonly queues = new Map<string, OutboxEntry[]>();
  private readonly nextSeq = new Map<string, number>();
  private readonly busy = new Set<string>();
  private readonly known = new Set<string>();
  private readonly notDurable = new Set<string>();
  /** Delivered or given up, outbox removal in flight: a rescan must not take them up again. */
  private readonly removing = new Set<string>();
  /**
   * When each entry was delivered or given up here: an adoption works from an outbox listing that may be
   * seconds old, and must not take up again what was finished since. Pruned after a minute.
   */
  private readonly finishedAt = new Map<string, number>();
  /** Delivered or given up, but the store did not take the removal: removed on a later rescan, never resent. */
  private readonly unremoved = new Set<string>();
  private readonly wakeups = new Set<NodeJS.Timeout>();
  private readonly idleWaiters = new Set<() => void>();
  private stopController = new AbortController();
  private running = false;
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: NotifierOptions) {
    this.concurrency = options.concurrency ?? 32;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 60000;
  }

  /**
   * Queues a notification; resolves once it is durably in the outbox (not when delivered). A caller that
   * retries a failed notify passes the same `entryKey` each time: a write that timed out may still land in
   * the store, and the retry must overwrite it rather than add a second entry that would be sent again.
   */
  async notify(conversationId: string, url: string, body: object, headers: Record<string, string> = {}, entryKey?: string): Promise<void> {
    const seq = this.nextSeq.get(conversationId) ?? 0;
    this.nextSeq.set(conversationId, seq + 1);
    const now = Date.now();
    const prefix = this.options.owner === undefined ? '' : `${this.options.owner}${ownerSeparator}`;
    const entry: OutboxEntry = {
      id: `${prefix}${entryKey ?? randomUUID()}`,
      conversationId,
      seq,
      url,
      headers,
      body: JSON.stringify(body),
      attempts: 0,
      notBefore: now,
      createdAt: now,
    };
    // Queued before the write so a call's entries keep their order; not sent until the write is done.
    this.enqueue(entry);
    this.notDurable.add(entry.id);
    try {
      await this.options.store.outboxAdd(entry);
    } catch (err) {
      this.dequeue(entry);
      throw err;
    } finally {
      this.notDurable.delete(entry.id);
    }
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
    const now = Date.now();
    for (const [id, at] of this.finishedAt) if (now - at > 60_000) this.finishedAt.delete(id);
    const pending = await this.options.store.outboxList();
    const owners = new Map<string, boolean>();
    for (const entry of pending) {
      if (this.removing.has(entry.id)) continue;
      if (this.unremoved.has(entry.id)) {
        await this.options.store.outboxRemove(entry.id).then(
          () => this.unremoved.delete(entry.id),
          () => undefined,
        );
        continue;
      }
      const owner = ownerOf(entry);
      if (owner !== undefined && owner !== this.options.owner) {
        if (!owners.has(owner)) owners.set(owner, await this.options.store.isAlive(owner));
        if (owners.get(owner)) continue;
      }
      // Checked after the awaits above: the entry may have been delivered while they ran.
      if (this.finishedAt.has(entry.id) || this.removing.has(entry.id)) continue;
      this.enqueue(entry);
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

  /** Stops delivering; undelivered entries stay in the outbox for the next start(). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    for (const t of this.wakeups) clearTimeout(t);
    this.wakeups.clear();
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private enqueue(entry: OutboxEntry): void {
    if (this.known.has(entry.id)) return;
    this.known.add(entry.id);
    const q = this.queues.get(entry.conversationId) ?? [];
    q.push(entry);
    q.sort((a, b) => a.seq - b.seq);
    this.queues.set(entry.conversationId, q);
  }

  private dequeue(entry: OutboxEntry): void {
    const q = this.queues.get(entry.conversationId);
    if (q) {
      const i = q.findIndex((e) => e.id === entry.id);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.queues.delete(entry.conversationId);
    }
    this.known.delete(entry.id);
  }

  /** Starts a delivery for every call whose next entry is due, up to the concurrency cap. */
  private pump(): void {
    if (!this.running) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const [conversationId, q] of this.queues) {
      if (this.busy.size >= this.concurrency) return;
      if (this.busy.has(conversationId)) continue;
      const head = q[0];
      if (!head || this.notDurable.has(head.id)) continue;
      if (head.notBefore > now) {
        earliest = Math.min(earliest, head.notBefore);
        continue;
      }
      this.busy.add(conversationId);
      void this.deliver(head).finally(() => {
        this.busy.delete(conversationId);
        this.pump();
        this.settleWaiters();
      });
    }
    if (earliest !== Infinity) this.wakeAt(earliest);
  }

  private wakeAt(at: number): void {
    const t = setTimeout(() => {
      this.wakeups.delete(t);
      this.pump();
    }, Math.max(0, at - Date.now()));
    this.wakeups.add(t);
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const log = this.options.logger.child({ conversationId: entry.conversationId, seq: entry.seq });
    const result = await attemptDelivery(entry, this.options.signingSecret, this.options.timeoutMs, this.stopController.signal);
    if (!this.running && result.outcome === 'retry') return; // stopped mid-request: the next run retries it
    if (result.outcome === 'retry' && entry.attempts < this.options.retries) {
      entry.attempts += 1;
      this.options.metrics?.notificationRetries.inc();
      this.options.metrics?.notificationDeliveries.inc({ result: 'failed' });
      entry.notBefore = Date.now() + Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (entry.attempts - 1));
      log.warn({ url: entry.url, attempt: entry.attempts, detail: result.detail }, 'notification failed, will retry');
      await this.persist(() => this.options.store.outboxUpdate(entry), log);
      return;
    }
    this.options.metrics?.notificationDeliveries.inc({ result: result.outcome === 'delivered' ? 'delivered' : 'given-up' });
    if (result.outcome === 'delivered') log.debug({ status: result.status }, 'notification delivered');
    else log.error({ url: entry.url, attempts: entry.attempts + 1, detail: result.detail }, 'notification given up');
    this.removing.add(entry.id);
    this.finishedAt.set(entry.id, Date.now());
    this.dequeue(entry);
    try {
      if (!(await this.persist(() => this.options.store.outboxRemove(entry.id), log))) this.unremoved.add(entry.id);
    } finally {
      this.removing.delete(entry.id);
    }
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
