import { describe, expect, it } from 'vitest';
import { deadCallReason } from '../../src/calls/liveness-watch.js';

const limits = { rtpTimeoutSec: 10, maxCallDurationSec: 0 };
const now = 100_000;

describe('deadCallReason', () => {
  it('keeps a call whose callee sent RTP within rtpTimeoutSec', () => {
    expect(deadCallReason(now, limits, { answeredAt: 50_000, calleeLastRtpAt: () => now - 9_000, botLastRtpAt: () => undefined })).toBeUndefined();
  });

  it('ends a call whose callee sent nothing for rtpTimeoutSec', () => {
    expect(deadCallReason(now, limits, { answeredAt: 50_000, calleeLastRtpAt: () => now - 10_000, botLastRtpAt: () => undefined })).toBe('no RTP from the callee for 10 s');
  });

  it('ends a call at once when a leg’s media ended on its own (its media server is gone), even with the RTP check off', () => {
    const base = { answeredAt: 50_000, calleeLastRtpAt: () => now, botLastRtpAt: () => now };
    const lost = 'FreeSWITCH 10.0.0.7:8021 lost (event socket closed)';
    expect(deadCallReason(now, limits, { ...base, calleeMediaStopped: () => lost })).toBe(lost);
    expect(deadCallReason(now, { ...limits, rtpTimeoutSec: 0 }, { ...base, botMediaStopped: () => lost })).toBe(lost);
    expect(deadCallReason(now, limits, { ...base, calleeMediaStopped: () => undefined, botMediaStopped: () => undefined })).toBeUndefined();
  });
});
