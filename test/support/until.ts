// Polling, for state no event announces: the one way tests wait for "this becomes true" instead of sleeping
// for a fixed time. A wait that is the scenario itself (a far end staying silent for 2 s) is a sleep, not this.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  await untilValue(what, check, (ok) => ok, timeoutMs, everyMs);
}

/**
 * Polls `get` every `everyMs` until `accept` holds for what it returns, and returns that; fails naming
 * `what` and the last value after `timeoutMs`.
 */
export async function untilValue<T>(
  what: string,
  get: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      const last = typeof value === 'boolean' ? '' : `; last: ${String(JSON.stringify(value)).slice(0, 500)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await sleep(everyMs);
  }
}
