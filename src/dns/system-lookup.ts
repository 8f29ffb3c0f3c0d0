// The system resolver (getaddrinfo: the hosts file, then DNS) asked with a deadline: a name the request-time
// checks and a sip: target's hops are judged by must not hold a dialout for as long as the system's own
// retries take.

import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';

/** Every address the system gives for `name` within `timeoutMs`; undefined when it fails or takes longer. */
export async function systemLookupWithin(name: string, timeoutMs: number): Promise<LookupAddress[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([lookup(name, { all: true }).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
