// A call's route over its account's trunks: the first usable trunk within its limits, the next one after a
// carrier failure, never after a callee's answer; one slot held at a time, released at the end.
import { describe, expect, it } from 'vitest';
import { parseConfig, type AccountConfig } from '../../src/config/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { TrunkRoute, trunkHostport, type RouteRefusal, type TrunkInvite } from '../../src/trunks/index.js';

function account(trunks: Record<string, unknown>[]): AccountConfig {
  return parseConfig({ accounts: [{ name: 'acme', trunks }] }).accounts[0]!;
}

const three = account([
  { name: 'first', host: '10.0.0.1', priority: 0, headers: { 'P-Asserted-Identity': '<sip:{caller}@first.example>' }, privacy: 'id', fromHost: 'first.example', auth: { username: 'u', password: 'p' } },
  { name: 'second', host: '10.0.0.2', port: 5070, priority: 1, failoverOn: [503] },
  { name: 'third', host: '10.0.0.3', priority: 2 },
]);

function route(acct: AccountConfig, opts: { store?: MemoryStore; down?: string[]; requested?: string; id?: string } = {}) {
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
});
