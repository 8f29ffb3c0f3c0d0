import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import {
  Notifier,
  signatureHeader,
  verifyNotificationSignature,
  verifyWebhookSignature,
  webhookIdHeader,
  webhookSignatureHeader,
  webhookTimestampHeader,
} from '../../src/notify/index.js';
import { backoffDelay, retry } from '../../src/retry/backoff.js';
import { MemoryStore } from '../../src/store/index.js';
import { startNotifyListener, type Notification, type NotifyListenerOptions } from '../support/notify-listener.js';

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

function notifier(extra: Partial<ConstructorParameters<typeof Notifier>[0]>) {
  const n = new Notifier({ store: new MemoryStore(), timeoutMs: 500, retries: 5, logger, retryBaseMs: 20, retryMaxMs: 100, ...extra });
  cleanups.push(() => n.stop());
  return n;
}

const header = (r: Notification, name: string) => r.headers[name.toLowerCase()] as string;
const webhook = (r: Notification) => ({ id: header(r, webhookIdHeader), timestamp: header(r, webhookTimestampHeader), signature: header(r, webhookSignatureHeader) });

describe('Webhook headers', () => {
  it('webhook-id is the same on every retry of one notification and differs between notifications', async () => {
    let calls = 0;
    const { l, url } = await listener((_r, res) => res.writeHead(++calls <= 2 ? 503 : 200).end());
    const n = notifier({ signingSecret: 'k' });
    await n.start();
    await n.notify('call-1', url, { status: 'Answered' });
    await n.notify('call-1', url, { status: 'completed' });
    await n.drain(5000);
    expect(l.requests().map((r) => (r.body as any).status)).toEqual(['Answered', 'Answered', 'Answered', 'completed']);
    const ids = l.requests().map((r) => header(r, webhookIdHeader));
    expect(ids[0]).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).not.toBe(ids[0]);
  });

  it('webhook-id survives a takeover: the key, not the owner, names the notification', async () => {
    const { l, url } = await listener();
    const store = new MemoryStore();
    await notifier({ store, signingSecret: 'k', owner: 'daemon-dead' }).notify('call-2', url, { n: 1 }, {}, 'fixed-key');
    const b = notifier({ store, signingSecret: 'k', owner: 'daemon-b' });
    await b.start();
    await b.drain(5000);
    expect(header(l.requests()[0]!, webhookIdHeader)).toBe('msg_fixed-key');
  });

  it('during a rotation both signatures verify with the newest and the previous secret, not with another', async () => {
    const { l, url } = await listener();
    const n = notifier({ signingSecrets: ['new-key', 'old-key'] });
    await n.start();
    await n.notify('call-3', url, { status: 'completed' }, { 'webhook-id': 'forged', 'SAVG-Signature': 'forged' });
    await n.drain(5000);
    const r = l.requests()[0]!;
    expect(header(r, webhookIdHeader)).not.toBe('forged');
    expect(header(r, webhookTimestampHeader)).toMatch(/^\d+$/);
    expect(Math.abs(Number(header(r, webhookTimestampHeader)) - Date.now() / 1000)).toBeLessThan(5);
    expect(header(r, webhookSignatureHeader)).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(header(r, signatureHeader)).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const secret of ['new-key', 'old-key']) {
      expect(verifyWebhookSignature(secret, webhook(r), r.rawBody)).toBe(true);
      expect(verifyNotificationSignature(secret, header(r, signatureHeader), r.rawBody)).toBe(true);
    }
    expect(verifyWebhookSignature('other-key', webhook(r), r.rawBody)).toBe(false);
    expect(verifyNotificationSignature('other-key', header(r, signatureHeader), r.rawBody)).toBe(false);
    expect(verifyWebhookSignature('new-key', webhook(r), r.rawBody.replace('completed', 'failed'))).toBe(false);
    expect(verifyWebhookSignature('new-key', { ...webhook(r), id: 'msg_other' }, r.rawBody)).toBe(false);
    // The same bytes a receiver following the Standard Webhooks recipe computes by hand.
    const { id, timestamp } = webhook(r);
    const expected = createHmac('sha256', 'old-key').update(`${id}.${timestamp}.${r.rawBody}`).digest('base64');
    expect(header(r, webhookSignatureHeader).split(' ')).toContain(`v1,${expected}`);
  });

  it('a timestamp outside the tolerance does not verify', async () => {
    const { l, url } = await listener();
    const n = notifier({ signingSecret: 'k' });
    await n.start();
    await n.notify('call-4', url, {});
    await n.drain(5000);
    const r = l.requests()[0]!;
    const later = Number(header(r, webhookTimestampHeader)) + 301;
    expect(verifyWebhookSignature('k', webhook(r), r.rawBody, 300, later)).toBe(false);
    expect(verifyNotificationSignature('k', header(r, signatureHeader), r.rawBody, 300, later)).toBe(false);
    expect(verifyWebhookSignature('k', webhook(r), r.rawBody, 300, later - 2)).toBe(true);
  });

  it('a whsec_ secret signs with its decoded bytes, as Standard Webhooks libraries expect', async () => {
    const { l, url } = await listener();
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const n = notifier({ signingSecret: `whsec_${key.toString('base64')}` });
    await n.start();
    await n.notify('call-5', url, { x: 1 });
    await n.drain(5000);
    const r = l.requests()[0]!;
    const { id, timestamp } = webhook(r);
    expect(header(r, webhookSignatureHeader)).toBe(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${r.rawBody}`).digest('base64')}`);
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, with jitter only ever shortening a wait', () => {
    const fixed = (random: number) => ({ baseMs: 100, maxMs: 1000, random: () => random });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, fixed(0)))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 5].map((a) => backoffDelay(a, fixed(0.999)))).toEqual([80, 160, 800]);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(3, { baseMs: 100, maxMs: 1000 })));
    expect(spread.size).toBeGreaterThan(5);
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(320);
  });

  it('retry runs until the operation succeeds and stops when told to give up', async () => {
    let n = 0;
    const failures: number[] = [];
    const value = await retry(
      async () => {
        if (++n < 3) throw new Error(`fail ${n}`);
        return 'ok';
      },
      { backoff: { baseMs: 1, maxMs: 2 }, onFailure: (_e, attempt) => failures.push(attempt) },
    );
    expect(value).toBe('ok');
    expect(failures).toEqual([1, 2]);
    await expect(retry(async () => Promise.reject(new Error('down')), { backoff: { baseMs: 1, maxMs: 1 }, giveUp: (_e, a) => a >= 4 })).rejects.toThrow('down');
  });
});
