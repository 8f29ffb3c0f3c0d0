import { describe, expect, it } from 'vitest';
import { orderTrunks, type RankedTrunk } from '../../src/trunks/index.js';

/** A small seeded generator (mulberry32), so a spread test gives the same picks on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const trunk = (name: string, fields: Partial<RankedTrunk> = {}): RankedTrunk => ({ name, priority: 0, weight: 1, default: false, ...fields });
const all = () => true;
const names = (ts: RankedTrunk[]) => ts.map((t) => t.name);

describe('trunk order for a call', () => {
  it('tries lower priority first, whatever the config order', () => {
    const trunks = [trunk('backup', { priority: 10 }), trunk('main', { priority: 0 }), trunk('last', { priority: 20 })];
    expect(names(orderTrunks(trunks, { usable: all }))).toEqual(['main', 'backup', 'last']);
  });

  it('puts the default trunk first among trunks of its priority', () => {
    const trunks = [trunk('a', { weight: 100 }), trunk('dflt', { default: true, weight: 1 }), trunk('b', { priority: 1 })];
    for (let i = 0; i < 20; i++) expect(names(orderTrunks(trunks, { usable: all }))[0]).toBe('dflt');
  });

  it('spreads 1,000 calls over trunks of equal priority within ±5 points of their weights (1:2:7)', () => {
    const trunks = [trunk('one', { weight: 1 }), trunk('two', { weight: 2 }), trunk('seven', { weight: 7 })];
    const random = seeded(12345);
    const firsts: Record<string, number> = { one: 0, two: 0, seven: 0 };
    for (let i = 0; i < 1000; i++) {
      const order = orderTrunks(trunks, { usable: all, random });
      expect(order).toHaveLength(3);
      firsts[order[0]!.name]!++;
    }
    expect(Math.abs(firsts.one! / 1000 - 0.1)).toBeLessThan(0.05);
    expect(Math.abs(firsts.two! / 1000 - 0.2)).toBeLessThan(0.05);
    expect(Math.abs(firsts.seven! / 1000 - 0.7)).toBeLessThan(0.05);
  });

  it('spreads equal weights evenly with Math.random too (two trunks, 1,000 calls)', () => {
    const trunks = [trunk('a'), trunk('b')];
    let a = 0;
    for (let i = 0; i < 1000; i++) if (orderTrunks(trunks, { usable: all })[0]!.name === 'a') a++;
    expect(Math.abs(a / 1000 - 0.5)).toBeLessThan(0.05);
  });

  it('keeps the other trunks as the next ones to try, still by weight and priority', () => {
    const trunks = [trunk('x', { weight: 1 }), trunk('y', { weight: 1 }), trunk('z', { priority: 5 })];
    const order = names(orderTrunks(trunks, { usable: all, random: () => 0.99 }));
    expect(order).toEqual(['y', 'x', 'z']);
  });

  it('leaves out trunks that are down and tries weight 0 trunks only after the others of their priority', () => {
    const trunks = [trunk('spare', { weight: 0 }), trunk('down'), trunk('up'), trunk('later', { priority: 1 })];
    const order = names(orderTrunks(trunks, { usable: (t) => t.name !== 'down' }));
    expect(order).toEqual(['up', 'spare', 'later']);
    expect(orderTrunks(trunks, { usable: () => false })).toEqual([]);
  });
});
