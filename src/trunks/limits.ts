// A trunk's call limits as the store's admission takes them: the same GCRA rate and slot count as a bot's
// dialout limits, so they hold exactly across daemons sharing one Redis (docs/trunks.md).

import type { TrunkConfig } from '../config/index.js';
import type { AdmissionLimits } from '../store/index.js';

/** The store's name for a trunk's limiter: trunk names are unique within their account only. */
export function trunkKey(account: string, trunk: string): string {
  return `${account}/${trunk}`;
}

/** Longest an answer may take (answerTimeoutSec's ceiling) plus a margin, added to a call's longest life. */
const ringAllowanceSec = 300 + 60;

/**
 * The admission limits of `trunk`. A slot lapses only after the longest call could have lasted
 * (`calls.maxCallDurationSec`, a day when that is unlimited): a slot whose call end was never seen
 * (its daemon died) must not hold the trunk for ever, nor lapse under a call still up.
 */
export function trunkLimits(trunk: Pick<TrunkConfig, 'maxCallsPerSecond' | 'maxConcurrentCalls'>, maxCallDurationSec: number): AdmissionLimits {
  return {
    limitPerSecond: trunk.maxCallsPerSecond,
    maxConcurrentCalls: trunk.maxConcurrentCalls,
    expirationSeconds: (maxCallDurationSec > 0 ? maxCallDurationSec : 86400) + ringAllowanceSec,
  };
}

/** The 429 message naming the limit that kept `trunk` from taking a call. */
export function trunkLimitMessage(trunk: Pick<TrunkConfig, 'name' | 'maxCallsPerSecond' | 'maxConcurrentCalls'>, reason: 'rate' | 'concurrency'): string {
  return reason === 'rate'
    ? `trunk "${trunk.name}" exceeds maxCallsPerSecond (${trunk.maxCallsPerSecond} per second)`
    : `trunk "${trunk.name}" has reached maxConcurrentCalls (${trunk.maxConcurrentCalls})`;
}
