// The bound on legs set up at once on one FreeSWITCH (src/media/freeswitch/setup-queue.ts): turns come in
// order, a bot leg goes first, a leg that stops waiting leaves the queue, and a frozen server fails the rest.
import { describe, expect, it } from 'vitest';
import { SetupQueue } from '../../src/media/freeswitch/setup-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('SetupQueue', () => {
  it('gives at most `limit` turns at once and the next in order as each is released (once)', async () => {
    const queue = new SetupQueue(2);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const turns = [1, 2, 3, 4].map((n) => queue.acquire(signal).then((release) => (order.push(n), release)));
    await tick();
    expect(order).toEqual([1, 2]);
    expect([queue.active, queue.waiting]).toEqual([2, 2]);
    const first = await turns[0]!;
    first();
    first(); // a second release frees nothing more
    await tick();
    expect(order).toEqual([1, 2, 3]);
    expect([queue.active, queue.waiting]).toEqual([2, 1]);
    (await turns[1]!)();
    (await turns[2]!)();
    await tick();
    expect(order).toEqual([1, 2, 3, 4]);
    (await turns[3]!)();
    expect([queue.active, queue.waiting]).toEqual([0, 0]);
  });

  it('puts a leg asked `first` ahead of those waiting', async () => {
    const queue = new SetupQueue(1);
    const signal = new AbortController().signal;
    const order: string[] = [];
    const held = await queue.acquire(signal);
    const callee = queue.acquire(signal).then((release) => (order.push('callee'), release));
    const bot = queue.acquire(signal, true).then((release) => (order.push('bot'), release));
    held();
    (await bot)();
    (await callee)();
    expect(order).toEqual(['bot', 'callee']);
  });

  it('drops a waiting leg whose signal aborts, with its reason, and fails all waiting on failWaiting', async () => {
    const queue = new SetupQueue(1);
    const held = await queue.acquire(new AbortController().signal);
    const stop = new AbortController();
    const leaving = queue.acquire(stop.signal);
    const others = [queue.acquire(new AbortController().signal), queue.acquire(new AbortController().signal)];
    stop.abort(new Error('lost'));
    await expect(leaving).rejects.toThrow('lost');
    expect(queue.waiting).toBe(2);
    queue.failWaiting(new Error('frozen'));
    for (const o of others) await expect(o).rejects.toThrow('frozen');
    expect([queue.active, queue.waiting]).toEqual([1, 0]);
    held();
    expect(queue.active).toBe(0);
    await expect(queue.acquire(stop.signal)).rejects.toThrow('lost');
  });
});
