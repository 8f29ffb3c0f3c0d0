// Request-time check of where a dialout would make outdial go: its notifyUrl. The same policy is applied
// again at delivery (README "Security"). A sip: target's literal address is checked when it is routed
// (src/dialout/target.ts), the addresses its host name resolves to when the call is placed
// (src/dialout/target-address.ts), with the lookup the INVITE then goes by.

import type { Config } from '../config/index.js';
import type { DialoutRequest } from '../dialout/index.js';
import { checkUrlDestination } from '../notify/destination-guard.js';
import { DestinationPolicy } from '../notify/destination-policy.js';

const policies = new WeakMap<Config, DestinationPolicy>();

export function notifyPolicy(config: Config): DestinationPolicy {
  let policy = policies.get(config);
  if (!policy) policies.set(config, (policy = new DestinationPolicy(config.notifications.allowedDestinations)));
  return policy;
}

const DNS_TIMEOUT_MS = 2000;

/** What is wrong with the dialout's destinations, as a 400 message naming the field; undefined when none. */
export async function destinationRefusal(req: DialoutRequest, config: Config): Promise<string | undefined> {
  if (req.notifyUrl !== undefined) {
    const why = await checkUrlDestination(req.notifyUrl, notifyPolicy(config), DNS_TIMEOUT_MS);
    if (why !== undefined) return `notifyUrl ${why}`;
  }
  return undefined;
}
