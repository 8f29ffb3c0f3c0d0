// A call's writes to the store and the notifier, in order, retried until the store takes them: a call
// in progress when Redis goes away still gets its record and notifications written once it is back.

import type { Logger } from '../log/index.js';
import { backoffDelay, sleep, STORE_BACKOFF, type Backoff } from '../retry/backoff.js';

/**
 * Epoch ms after which every write still failing is abandoned instead of retried: the daemon sets it when
 * it stops, so a store that never comes back cannot keep the process alive (docs: README "Security").
 */
let abandonAt = Number.POSITIVE_INFINITY;

export function abandonRetriesAfter(deadline: number): void {
  abandonAt = deadline;
}

export class OrderedWrites {
  private tail: Promise<void> = Promise.resolve();
  private pendingCount = 0;

  constructor(
    private readonly logger: Logger,
    private readonly backoff: Backoff = STORE_BACKOFF,
  ) {}

  /**
   * Runs `write` after every write queued before it; retries it on the store's backoff schedule until it
   * succeeds or `giveUp()` says so (or the daemon stops); `abandoned` then runs, for a write that must not
   * vanish silently.
   */
  enqueue(what: string, write: () => Promise<void>, giveUp: () => boolean = () => false, abandoned?: () => Promise<void>): void {
    this.pendingCount++;
    this.tail = this.tail.then(async () => {
      // Set when a wait was cut short at the stop deadline: the try after it is the last (a timer may fire a
      // millisecond before the wall clock reaches the deadline, and that must not earn another try).
      let lastTry = false;
      for (let attempt = 1; ; attempt++) {
        try {
          await write();
          return;
        } catch (err) {
          if (giveUp() || lastTry || Date.now() >= abandonAt) {
            this.logger.error({ err, what }, 'write abandoned');
            await abandoned?.();
            return;
          }
          if (attempt === 1 || attempt % 20 === 0) this.logger.warn({ err, what, attempt }, 'write failed, retrying');
          // Never past the point where the write would be abandoned, so stopping stays within its bound.
          const delay = backoffDelay(attempt, this.backoff);
          const untilAbandon = Math.max(0, abandonAt - Date.now());
          lastTry = untilAbandon <= delay;
          await sleep(Math.min(delay, untilAbandon));
        }
      }
    }).finally(() => {
      this.pendingCount--;
    });
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Resolves once every write queued so far is done. */
  settled(): Promise<void> {
    return this.tail;
  }
}
