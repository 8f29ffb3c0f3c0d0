import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { classifyFailure, failsOver } from '../../src/trunks/index.js';

const defaults = parseConfig({ accounts: [{ name: 'a', trunks: [{ name: 't', host: 'h' }] }] }).accounts[0]!.trunks[0]!.failoverOn;

describe('failover after an attempt', () => {
  it('defaults failoverOn to 408, 500, 502, 503, 504', () => {
    expect(defaults).toEqual([408, 500, 502, 503, 504]);
  });

  it('tries the next trunk on a carrier failure in failoverOn', () => {
    for (const status of [408, 500, 502, 503, 504]) expect(failsOver(classifyFailure(status, true), defaults), String(status)).toBe(true);
  });

  it('never on a callee answer or another 4xx/6xx: busy, decline, not found, unavailable', () => {
    for (const status of [404, 480, 484, 486, 487, 488, 600, 603, 604]) expect(failsOver(classifyFailure(status, true), defaults), String(status)).toBe(false);
  });

  it('on a timeout or transport error even when failoverOn leaves out 408 and 503', () => {
    expect(classifyFailure(408, false)).toEqual({ kind: 'timeout' });
    expect(classifyFailure(503, false)).toEqual({ kind: 'transport' });
    expect(failsOver(classifyFailure(408, false), [500])).toBe(true);
    expect(failsOver(classifyFailure(503, false), [])).toBe(true);
    // The same codes from the far end follow failoverOn.
    expect(failsOver(classifyFailure(503, true), [500])).toBe(false);
  });
});
