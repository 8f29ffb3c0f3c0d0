/** RFC 3261 §17 / Table 4 timer base values, in milliseconds. */
export interface TimerValues {
  /** RTT estimate; Timers A, B, E, F, G, H, J derive from it. */
  T1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses. */
  T2: number;
  /** Longest time a message stays in the network. */
  T4: number;
}

export const defaultTimers: TimerValues = { T1: 500, T2: 4000, T4: 5000 };

/** Timer B, F, H and J: 64*T1, how long a transaction waits before it gives up. */
export function transactionTimeout(t: TimerValues): number {
  return 64 * t.T1;
}
