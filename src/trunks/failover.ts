// Whether a failed attempt sends the call on to the next trunk (docs/trunks.md). A carrier failure is
// a reason to try another carrier; a callee's busy, decline or not-found is an answer, and another trunk
// would only ring the same person again.

/** How one attempt on a trunk ended without the call being answered. */
export type AttemptFailure =
  /** A final non-2xx response from the far end. */
  | { kind: 'status'; status: number }
  /** No response at all in time (Timer B: the stack reports 408 without the far end's To tag). */
  | { kind: 'timeout' }
  /** The request could not be sent or its connection failed (the stack reports 503). */
  | { kind: 'transport' };

/**
 * What a final response to an INVITE means for failover. The stack stands in for a silent or unreachable
 * far end with a 408 or 503 of its own, which carries no To tag: a far end's response always has one.
 */
export function classifyFailure(status: number, fromFarEnd: boolean): AttemptFailure {
  if (!fromFarEnd && status === 408) return { kind: 'timeout' };
  if (!fromFarEnd && status === 503) return { kind: 'transport' };
  return { kind: 'status', status };
}

/** True when the next trunk should be tried after `failure` on a trunk whose failoverOn is `failoverOn`. */
export function failsOver(failure: AttemptFailure, failoverOn: readonly number[]): boolean {
  if (failure.kind !== 'status') return true;
  return failoverOn.includes(failure.status);
}
