// One retry schedule for everything that waits for a remote party to come back: notification deliveries,
// the store's PING probe, a call's ordered writes. Exponential growth capped at maxMs, with jitter so that
// many callers failing at the same moment (every call of a daemon when Redis drops, every daemon when a
// notifyUrl goes down) do not all retry in the same millisecond.

export interface Backoff {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** Growth per attempt; 2 doubles (default), 1 keeps every delay at baseMs. */
  factor?: number;
  /**
   * Share of each delay drawn at random, 0–1 (default 0.2): the delay is between (1 − jitter) × d and d,
   * so jitter spreads retries without ever waiting longer than the schedule says.
   */
  jitter?: number;
  /** Random source in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * The store's schedule: a call's ordered writes and the Redis PING probe. Short at first (a blip costs a
 * quarter second), never more than 2 s apart, so a store that is back is noticed within 2 s.
 */
export const STORE_BACKOFF: Backoff = { baseMs: 250, maxMs: 2000 };

/** The wait before retry number `attempt` (1 = the first retry), in milliseconds. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const { baseMs, maxMs, factor = 2, jitter = 0.2, random = Math.random } = backoff;
  const n = Math.max(1, Math.floor(attempt));
  const full = Math.min(maxMs, baseMs * factor ** (n - 1));
  const spread = Math.min(1, Math.max(0, jitter));
  return Math.round(full * (1 - spread * random()));
}

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions {
  backoff: Backoff;
  /** Asked after each failure; true stops retrying and rethrows the error. */
  giveUp?: (err: unknown, attempt: number) => boolean;
  /** Told about each failure before the wait (for logging). */
  onFailure?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops the waits; the last error is rethrown. */
  signal?: AbortSignal;
}

/** Runs `op` until it resolves, waiting the backoff schedule between failures. */
export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (options.giveUp?.(err, attempt) || options.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, options.backoff);
      options.onFailure?.(err, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw err;
    }
  }
}
