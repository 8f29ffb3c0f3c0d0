// A call's route over its account's trunks: the first usable trunk within its limits, the next one after a
// carrier failure, never after a callee's answer; one slot held at a time, released at the end.
import { describe, expect, it } from 'vitest';
import { parseConfig, type AccountConfig } from '../../src/config/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { TrunkRoute, trunkHostport, type RouteRefusal, type RouteServices, type TrunkInvite } from '../../src/trunks/index.js';

function account(trunks: Record<string, unknown>[]): AccountConfig {
  return parseConfig({ accounts: [{ name: 'acme', trunks }] }).accounts[0]!;
}

const three = account([
  { name: 'first', host: '10.0.0.1', priority: 0, headers: { 'P-Asserted-Identity': '<sip:{caller}@first.example>' }, privacy: 'id', fromHost: 'first.example', auth: { username: 'u', password: 'p' } },
  { name: 'second', host: '10.0.0.2', port: 5070, priority: 1, failoverOn: [503] },
  { name: 'third', host: '10.0.0.3', priority: 2 },
]);

function route(acct: AccountConfig, opts: { store?: MemoryStore; down?: string[]; requested?: string; id?: string; resolve?: RouteServices['resolve'] } = {}) {
  const store = opts.store ?? new MemoryStore();
  const metrics = createMetrics({ defaultMetrics: false });
  const r = new TrunkRoute(
    { conversationId: opts.id ?? 'call-1', account: acct, trunk: acct.trunks[0]!, ...(opts.requested && { requestedTrunk: opts.requested }), target: 'tel:+15551234567', caller: '+15550001111', sipHeaders: { 'X-Campaign': 'c1' } },
    {
      store,
      usable: (_a, t) => !(opts.down ?? []).includes(t),
      maxCallDurationSec: 3600,
      requestUri: (target, trunk) => `sip:${target.slice(4)}@${trunkHostport(trunk)}`,
      metrics,
      ...(opts.resolve && { resolve: opts.resolve }),
    },
  );
  return { r, store, metrics };
}

const attempt = (x: TrunkInvite | RouteRefusal | undefined): TrunkInvite => {
  if (!x || !('trunk' in x)) throw new Error(`no attempt: ${JSON.stringify(x)}`);
  return x;
};

describe('a call over its trunks', () => {
  it('starts on the first trunk with its URI, filled headers, Privacy, From host and credentials', async () => {
    const { r, store } = route(three);
    const a = attempt(await r.start());
    expect(a).toEqual({
      trunk: three.trunks[0],
      requestUri: 'sip:+15551234567@10.0.0.1:5060',
      headers: { 'P-Asserted-Identity': '<sip:+15550001111@first.example>', Privacy: 'id', 'X-Campaign': 'c1' },
      fromHost: 'first.example',
      auth: { username: 'u', password: 'p' },
    });
    expect(await store.activeTrunkSlots('acme/first')).toBe(1);
  });

  it('fails over on 503 to the next trunk, moving its slot, and stops at a trunk whose failoverOn leaves the status out', async () => {
    const { r, store, metrics } = route(three);
    attempt(await r.start());
    const next = attempt(await r.failover({ status: 503, reason: 'Service Unavailable', fromFarEnd: true }));
    expect(next.trunk.name).toBe('second');
    expect(next.requestUri).toBe('sip:+15551234567@10.0.0.2:5070');
    expect(next.headers).toEqual({ 'X-Campaign': 'c1' });
    expect(await store.activeTrunkSlots('acme/first')).toBe(0);
    expect(await store.activeTrunkSlots('acme/second')).toBe(1);
    // second fails over on 503 only.
    expect(await r.failover({ status: 502, reason: 'Bad Gateway', fromFarEnd: true })).toBeUndefined();
    expect(r.attempts).toEqual([
      { trunk: 'first', status: 503, reason: 'Service Unavailable' },
      { trunk: 'second', status: 502, reason: 'Bad Gateway' },
    ]);
    expect(r.trunk).toBe('second');
    await r.release();
    await r.release();
    expect(await store.activeTrunkSlots('acme/second')).toBe(0);
    expect(await metrics.text()).toMatch(/outdial_trunk_attempts_total\{account="acme",trunk="first",status="503"\} 1/);
  });

  it('ends on 486, 603 and 404 without another trunk', async () => {
    for (const status of [486, 603, 404]) {
      const { r } = route(three);
      attempt(await r.start());
      expect(await r.failover({ status, reason: 'x', fromFarEnd: true }), String(status)).toBeUndefined();
      expect(r.attempts).toHaveLength(1);
    }
  });

  it('fails over on a timeout with no response (a 408 of the stack) and says so in the metrics', async () => {
    const { r, metrics } = route(three);
    attempt(await r.start());
    expect(attempt(await r.failover({ status: 408, reason: 'Request Timeout', fromFarEnd: false })).trunk.name).toBe('second');
    expect(await metrics.text()).toMatch(/outdial_trunk_attempts_total\{account="acme",trunk="first",status="timeout"\} 1/);
    r.answered();
    r.answered();
    expect(r.attempts).toEqual([
      { trunk: 'first', status: 408, reason: 'Request Timeout' },
      { trunk: 'second', status: 200, reason: 'OK' },
    ]);
  });

  it('skips trunks that are down and trunks at their limit; 429 naming every limit when none can take it', async () => {
    const limited = account([
      { name: 'cps', host: 'h1', priority: 0, maxCallsPerSecond: 1 },
      { name: 'slots', host: 'h2', priority: 1, maxConcurrentCalls: 1 },
    ]);
    const store = new MemoryStore();
    const a = route(limited, { store, id: 'a' });
    expect(attempt(await a.r.start()).trunk.name).toBe('cps');
    const b = route(limited, { store, id: 'b' });
    expect(attempt(await b.r.start()).trunk.name).toBe('slots');
    const c = route(limited, { store, id: 'c' });
    expect(await c.r.start()).toEqual({
      status: 429,
      error: 'trunk "cps" exceeds maxCallsPerSecond (1 per second); trunk "slots" has reached maxConcurrentCalls (1)',
    });
    const down = route(limited, { store: new MemoryStore(), down: ['cps'] });
    expect(attempt(await down.r.start()).trunk.name).toBe('slots');
    expect(await route(limited, { down: ['cps', 'slots'] }).r.start()).toEqual({ status: 503, error: 'no trunk of account "acme" is up (not answering its OPTIONS pings, or its registration failed)' });
  });

  it('tries only the trunk a dialout names', async () => {
    const { r } = route(three, { requested: 'first' });
    attempt(await r.start());
    expect(await r.failover({ status: 503, reason: 'Service Unavailable', fromFarEnd: true })).toBeUndefined();
  });

  it('writes down an attempt ended by a CANCEL once', async () => {
    const { r } = route(three);
    attempt(await r.start());
    r.ended(487, 'Request Terminated');
    r.ended(487, 'Request Terminated');
    expect(r.attempts).toEqual([{ trunk: 'first', status: 487, reason: 'Request Terminated' }]);
  });

  it('a trunk found through DNS tries its addresses in turn on timeouts, transport errors and 503, holding one slot, then the next trunk', async () => {
    const dnsTrunks = account([
      { name: 'srv', host: 'carrier.example', priority: 0 },
      { name: 'backup', host: '10.0.0.9', priority: 1 },
    ]);
    const asked: string[] = [];
    const resolve = async (trunk: { host: string; transport: string }) => {
      asked.push(`${trunk.host}/${trunk.transport}`);
      return [
        { address: '192.0.2.1', port: 5070, transport: 'udp' as const },
        { address: '192.0.2.2', port: 5080, transport: 'udp' as const },
        { address: '192.0.2.3', port: 5090, transport: 'udp' as const },
      ];
    };
    const { r, store } = route(dnsTrunks, { resolve });
    const first = attempt(await r.start());
    expect(first).toMatchObject({ requestUri: 'sip:+15551234567@carrier.example', proxy: 'sip:192.0.2.1:5070;transport=udp' });
    expect(asked).toEqual(['carrier.example/udp']);
    const second = attempt(await r.failover({ status: 408, reason: 'Request Timeout', fromFarEnd: false }));
    expect(second).toMatchObject({ trunk: { name: 'srv' }, requestUri: 'sip:+15551234567@carrier.example', proxy: 'sip:192.0.2.2:5080;transport=udp' });
    expect(await store.activeTrunkSlots('acme/srv')).toBe(1);
    const third = attempt(await r.failover({ status: 503, reason: 'Service Unavailable', fromFarEnd: true }));
    expect(third.proxy).toBe('sip:192.0.2.3:5090;transport=udp');
    const backup = attempt(await r.failover({ status: 503, reason: 'Service Unavailable', fromFarEnd: false }));
    expect(backup).toMatchObject({ trunk: { name: 'backup' }, requestUri: 'sip:+15551234567@10.0.0.9:5060' });
    expect(backup.proxy).toBeUndefined();
    expect(await store.activeTrunkSlots('acme/srv')).toBe(0);
    expect(r.attempts.map((a) => `${a.trunk} ${a.status}`)).toEqual(['srv 408', 'srv 503', 'srv 503']);

    // A callee's answer, or a carrier failure other than 503, is not a reason to try another address.
    const busy = route(dnsTrunks, { resolve });
    attempt(await busy.r.start());
    expect(await busy.r.failover({ status: 486, reason: 'Busy Here', fromFarEnd: true })).toBeUndefined();
    const broken = route(dnsTrunks, { resolve });
    attempt(await broken.r.start());
    expect(attempt(await broken.r.failover({ status: 500, reason: 'Server Internal Error', fromFarEnd: true })).trunk.name).toBe('backup');
  });
});
