import { afterEach, describe, expect, it } from 'vitest';
import { abandonRetriesAfter, OrderedWrites } from '../../src/calls/persist.js';
import { createLogger } from '../../src/log/index.js';

const logger = createLogger('silent');

afterEach(() => abandonRetriesAfter(Number.POSITIVE_INFINITY));

describe("a call's ordered writes while the store refuses them", () => {
  it('retries a failing write on a growing, bounded schedule, and runs the next write only after it', async () => {
    const writes = new OrderedWrites(logger, { baseMs: 20, maxMs: 80, jitter: 0 });
    const tries: number[] = [];
    const done: string[] = [];
    const started = Date.now();
    writes.enqueue('record', async () => {
      tries.push(Date.now() - started);
      if (tries.length < 5) throw new Error('store down');
      done.push('record');
    });
    writes.enqueue('notification', async () => {
      done.push('notification');
    });
    await writes.settled();
    expect(done).toEqual(['record', 'notification']);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    // 20, 40, 80, then held at the 80 ms bound (timers may fire a little late, never early).
    expect(gaps.map((g, i) => g >= [20, 40, 80, 80][i]! - 2)).toEqual([true, true, true, true]);
    expect(gaps[3]!).toBeLessThan(80 + 60);
    expect(writes.pending).toBe(0);
  });

  it('gives a write up at the stop deadline even when the next retry is due later, and runs its fallback', async () => {
    const writes = new OrderedWrites(logger, { baseMs: 60_000, maxMs: 60_000 });
    let tries = 0;
    let fellBack = false;
    abandonRetriesAfter(Date.now() + 100);
    const started = Date.now();
    writes.enqueue(
      'final notification',
      async () => {
        tries++;
        throw new Error('store down');
      },
      undefined,
      async () => {
        fellBack = true;
      },
    );
    await writes.settled();
    expect(fellBack).toBe(true);
    expect(tries).toBe(2);
    // The deadline (100 ms), not the 60 s schedule, decides when it is given up.
    expect(Date.now() - started).toBeLessThan(400);
  });
});
