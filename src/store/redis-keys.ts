/** Where the Redis store keeps things: every key starts with the configured prefix. */

/** Who a limiter holds back: a bot's dialouts or a trunk's calls. */
export type LimiterKind = 'bot' | 'trunk';

/** A limiter's two keys: its rate window and its concurrency slots. */
export type LimiterKeyPart = 'rate' | 'slots';

/** A plain key: call records (`call:<id>`), the outbox, active calls, owner heartbeats, leases. */
export function storeKey(prefix: string, ...parts: string[]): string {
  return prefix + parts.join(':');
}

// The hash tag keeps a limiter's keys in one Redis Cluster slot, as a multi-key script requires.
export function limiterKey(prefix: string, kind: LimiterKind, name: string, part: LimiterKeyPart): string {
  return `${prefix}${kind}:{${name}}:${part}`;
}
