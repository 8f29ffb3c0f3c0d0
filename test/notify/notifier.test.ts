import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { Notifier, signatureHeader, verifyNotificationSignature } from '../../src/notify/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { freePort } from '../support/ports.js';
import { startNotifyListener, type NotifyListenerOptions } from '../support/notify-listener.js';
import { until } from '../support/until.js';

const secret = 'change-me-too';
const logger = createLogger('silent');
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A notifyUrl answering as `respond` says (200 by default), fed bodies no webhook schema describes. */
async function listener(respond?: NotifyListenerOptions['respond'], port?: number) {
  const l = await startNotifyListener({ checkWebhooks: false, ...(respond && { respond }), ...(port !== undefined && { port }) });
  cleanups.push(() => l.close());
  return { l, url: `http://127.0.0.1:${l.port}` };
}

function notifier(store = new MemoryStore(), extra: Partial<ConstructorParameters<typeof Notifier>[0]> = {}) {
  const n = new Notifier({ store, signingSecret: secret, timeoutMs: 500, retries: 5, logger, retryBaseMs: 20, retryMaxMs: 100, ...extra });
  cleanups.push(() => n.stop());
  return n;
}

describe('Notifier', () => {
  it('signs every POST with SAVG-Signature over "t.body" and passes notifyHeaders through', async () => {
    const { l, url } = await listener();
    const n = notifier();
    await n.start();
    await n.notify('call-1', `${url}/n`, { conversationId: 'call-1', status: 'Answered' }, { 'x-channel-type': 'X42_IVR', Authorization: 'Basic a29yZQ==' });
    await n.drain(5000);
    expect(l.requests()).toHaveLength(1);
    const got = l.requests()[0]!;
    expect(got.body).toEqual({ conversationId: 'call-1', status: 'Answered' });
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-channel-type']).toBe('X42_IVR');
    expect(got.headers.authorization).toBe('Basic a29yZQ==');
    const sig = got.headers[signatureHeader.toLowerCase()] as string;
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyNotificationSignature(secret, sig, got.rawBody)).toBe(true);
    expect(verifyNotificationSignature('other', sig, got.rawBody)).toBe(false);
    expect(verifyNotificationSignature(secret, sig, got.rawBody.replace('Answered', 'Failed'))).toBe(false);
  });

  it('delivers every notification of a call exactly once, in order, after two 5xx', async () => {
    let failures = 0;
    const { l, url } = await listener((_r, res) => {
      if (failures < 2) {
        failures++;
        res.writeHead(503).end();
      } else res.writeHead(204).end();
    });
    const store = new MemoryStore();
    const n = notifier(store);
    await n.start();
    for (const status of ['Answered', 'Call-In-Progress', 'completed']) await n.notify('call-2', url, { status });
    await n.drain(5000);
    const delivered = l.requests().slice(2).map((r) => (r.body as any).status);
    expect(l.requests().slice(0, 2).map((r) => (r.body as any).status)).toEqual(['Answered', 'Answered']);
    expect(delivered).toEqual(['Answered', 'Call-In-Progress', 'completed']);
    expect(await store.outboxList()).toEqual([]);
  });

  it('treats a 4xx as final and moves on to the next notification', async () => {
    const { l, url } = await listener((r, res) => res.writeHead((r.body as any).seq === 0 ? 404 : 200).end());
    const store = new MemoryStore();
    const n = notifier(store);
    await n.start();
    await n.notify('call-3', url, { seq: 0 });
    await n.notify('call-3', url, { seq: 1 });
    await n.drain(5000);
    expect(l.requests().map((r) => r.body)).toEqual([{ seq: 0 }, { seq: 1 }]);
    expect(await store.outboxList()).toEqual([]);
  });

  it('retries after a timeout', async () => {
    let first = true;
    const { l, url } = await listener((_r, res) => {
      if (first) first = false; // never answered: the notifier's timeout must fire
      else res.writeHead(200).end();
    });
    const n = notifier(new MemoryStore(), { timeoutMs: 200 });
    await n.start();
    await n.notify('call-4', url, { status: 'completed' });
    await n.drain(5000);
    expect(l.requests().map((r) => r.body)).toEqual([{ status: 'completed' }, { status: 'completed' }]);
    expect(n.pending()).toBe(0);
  });

  it('retries a refused connection until the listener comes up', async () => {
    const port = await freePort();
    const n = notifier(new MemoryStore(), { retryBaseMs: 100, retryMaxMs: 200, retries: 20 });
    await n.start();
    await n.notify('call-5', `http://127.0.0.1:${port}/late`, { status: 'failed' });
    // The scenario: nobody listens for 250 ms, long enough for the first attempts to be refused.
    await new Promise((r) => setTimeout(r, 250));
    expect(n.pending()).toBe(1);
    // Now listen on exactly the port the notifier has been refused on.
    const { l: late } = await listener(undefined, port);
    await n.drain(5000);
    expect(late.requests().map((r) => r.body)).toEqual([{ status: 'failed' }]);
  });

  it('gives up after the configured retries', async () => {
    const { l, url } = await listener((_r, res) => res.writeHead(500).end());
    const store = new MemoryStore();
    const n = notifier(store, { retries: 2 });
    await n.start();
    await n.notify('call-6', url, { status: 'completed' });
    await n.drain(5000);
    expect(l.requests()).toHaveLength(3);
    expect(n.pending()).toBe(0);
    expect(await store.outboxList()).toEqual([]);
  });

  it('a slow notifyUrl does not hold back another call', async () => {
    const slow = await listener(() => undefined); // never answers
    const fast = await listener();
    const n = notifier(new MemoryStore(), { timeoutMs: 30000 });
    await n.start();
    await n.notify('slow-call', slow.url, { call: 'slow' });
    await until('the slow notifyUrl to get its request', () => slow.l.requests().length === 1);
    await n.notify('fast-call', fast.url, { call: 'fast', n: 1 });
    await n.notify('fast-call', fast.url, { call: 'fast', n: 2 });
    await until('the fast notifyUrl to get both', () => fast.l.requests().length === 2);
    expect(fast.l.requests().map((r) => r.body)).toEqual([{ call: 'fast', n: 1 }, { call: 'fast', n: 2 }]);
    // The listener has the second request a moment before the notifier has its answer.
    await until('the notifier to take the fast answers', () => n.pending() === 1);
    expect(slow.l.requests()).toHaveLength(1);
    expect(n.pending()).toBe(1);
  });

  it('notify resolves once the entry is in the outbox, and a later start() delivers what a previous run left', async () => {
    const { l, url } = await listener();
    const store = new MemoryStore();
    const first = notifier(store);
    // Never started: the entries only reach the outbox.
    await first.notify('call-7', url, { n: 1 });
    await first.notify('call-7', url, { n: 2 });
    expect((await store.outboxList()).map((e) => [e.conversationId, e.seq])).toEqual([['call-7', 0], ['call-7', 1]]);
    expect(l.requests()).toHaveLength(0);
    const second = notifier(store);
    await second.start();
    await second.drain(5000);
    expect(l.requests().map((r) => r.body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await store.outboxList()).toEqual([]);
  });

  it("leaves a live owner's entries alone and takes over a dead owner's", async () => {
    const { l, url } = await listener();
    const store = new MemoryStore();
    await store.heartbeat('daemon-a', 60000);
    await notifier(store, { owner: 'daemon-a' }).notify('call-8', url, { from: 'a' });
    await notifier(store, { owner: 'daemon-dead' }).notify('call-9', url, { from: 'dead' });
    const b = notifier(store, { owner: 'daemon-b' });
    await b.start();
    await b.drain(5000);
    expect(l.requests().map((r) => r.body)).toEqual([{ from: 'dead' }]);
    expect((await store.outboxList()).map((e) => e.conversationId)).toEqual(['call-8']);
  });

  it('drain gives up at its timeout while a notifyUrl keeps failing', async () => {
    const { url } = await listener((_r, res) => res.writeHead(500).end());
    const n = notifier(new MemoryStore(), { retries: 50, retryBaseMs: 50, retryMaxMs: 50 });
    await n.start();
    await n.notify('call-10', url, { status: 'completed' });
    await n.drain(200);
    expect(n.pending()).toBe(1);
  });
});
