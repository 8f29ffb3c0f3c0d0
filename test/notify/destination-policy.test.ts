// The outbound destination policy: address classes, operator lists, and the check at delivery time on the
// address the socket really connects to (a host name that resolves to a refused address is not reached).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpBotEventPoster } from '../../src/calls/bot-event-poster.js';
import { createLogger } from '../../src/log/index.js';
import { attemptDelivery } from '../../src/notify/attempt.js';
import { installDestinationPolicy } from '../../src/notify/destination-guard.js';
import { classifyAddress, DestinationPolicy, DestinationPolicyError } from '../../src/notify/destination-policy.js';
import type { OutboxEntry } from '../../src/store/index.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { until } from '../support/until.js';

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('is not fooled into an address by a host name', () => {
    expect(classifyAddress('localhost')).toBeUndefined();
  });
});

describe('operator lists', () => {
  it('refuses link-local everywhere unless an entry lies inside it; a broad range does not open it', () => {
    expect(new DestinationPolicy().checkAddress('169.254.169.254')).toContain('link-local');
    expect(new DestinationPolicy(['0.0.0.0/0']).checkAddress('169.254.169.254')).toContain('link-local');
    expect(new DestinationPolicy(['0.0.0.0/0']).checkAddress('198.51.100.7')).toBeUndefined();
    expect(new DestinationPolicy(['169.254.169.254/32']).checkAddress('169.254.169.254')).toBeUndefined();
  });

  it('matches host names exactly and *.domains by their subdomains', () => {
    const p = new DestinationPolicy(['dialer.example', '*.corp.example']);
    expect(p.checkHost('DIALER.example.')).toBeUndefined();
    expect(p.checkHost('a.b.corp.example')).toBeUndefined();
    expect(p.checkHost('corp.example')).toContain('not in the allowed destinations');
    expect(p.checkHost('dialer.example.evil.example')).toContain('not in the allowed destinations');
  });

  it('names a bad entry', () => {
    expect(() => new DestinationPolicy(['10.0.0.0/33'])).toThrow(DestinationPolicyError);
    expect(() => new DestinationPolicy(['not a host'])).toThrow('"not a host" is neither a CIDR nor a host name');
  });
});

describe('delivery time', () => {
  let listener: NotifyListener;
  let base: string;
  const stop = new AbortController();
  const entry = (url: string): OutboxEntry => ({ id: 'e1', conversationId: 'c1', seq: 0, url, headers: {}, body: '{"event":"x"}', attempts: 0, notBefore: 0, createdAt: 0 });

  beforeAll(async () => {
    listener = await startNotifyListener({ checkWebhooks: false });
    base = `http://127.0.0.1:${listener.port}`;
  });
  afterEach(() => installDestinationPolicy(new DestinationPolicy()));
  afterAll(async () => {
    await listener.close();
  });

  it('delivers to a loopback listener under the default policy', async () => {
    const before = listener.requests().length;
    expect(await attemptDelivery(entry(`${base}/n`), ['k'], 2000, stop.signal)).toEqual({ outcome: 'delivered', status: 200 });
    expect(listener.requests().length).toBe(before + 1);
  });

  it('refuses, for good, a host name that resolves to a refused address when the request is made (DNS rebinding)', async () => {
    installDestinationPolicy(new DestinationPolicy(['10.0.0.0/8']));
    const before = listener.requests().length;
    const port = new URL(base).port;
    const byName = await attemptDelivery(entry(`http://localhost:${port}/n`), ['k'], 2000, stop.signal);
    expect(byName.outcome).toBe('final');
    expect(byName).toMatchObject({ detail: expect.stringContaining('localhost resolves to') });
    const byLiteral = await attemptDelivery(entry(`${base}/n`), ['k'], 2000, stop.signal);
    expect(byLiteral).toMatchObject({ outcome: 'final', detail: expect.stringContaining('not in the allowed destinations') });
    expect(listener.requests().length).toBe(before);
  });

  it('a listed host name is reached whatever private address it resolves to', async () => {
    installDestinationPolicy(new DestinationPolicy(['localhost']));
    const port = new URL(base).port;
    expect(await attemptDelivery(entry(`http://localhost:${port}/n`), ['k'], 2000, stop.signal)).toMatchObject({ outcome: 'delivered' });
  });

  it('never connects to the metadata service or to a URL with userinfo', async () => {
    expect(await attemptDelivery(entry('http://169.254.169.254/latest/meta-data/'), ['k'], 2000, stop.signal)).toMatchObject({
      outcome: 'final',
      detail: expect.stringContaining('link-local'),
    });
    const before = listener.requests().length;
    expect(await attemptDelivery(entry(base.replace('http://', 'http://u:p@')), ['k'], 2000, stop.signal)).toMatchObject({
      outcome: 'final',
      detail: expect.stringContaining('user:password@'),
    });
    expect(listener.requests().length).toBe(before);
  });

  it("bot events to an eventsUrl follow the same policy, on the address connected to", async () => {
    const poster = httpBotEventPoster(createLogger('silent'), ['k']);
    const event = { type: 'event', name: 'start', conversationId: 'c1' } as const;
    const port = new URL(base).port;
    installDestinationPolicy(new DestinationPolicy(['10.0.0.0/8']));
    const before = listener.requests().length;
    poster.post(`${base}/events`, event);
    poster.post(`http://localhost:${port}/events`, event);
    // A fixed wait on purpose: time for a refused post to have arrived, had it been sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(listener.requests().length).toBe(before);
    installDestinationPolicy(new DestinationPolicy());
    poster.post(`http://localhost:${port}/events`, event);
    await until('the allowed post to arrive', () => listener.requests().length > before, 3000);
    expect(listener.requests().length).toBe(before + 1);
  });
});
