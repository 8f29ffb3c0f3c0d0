// Request-time check of where a dialout would make outdial go: its notifyUrl and, for a sip: target sent to
// its own host, that host's addresses. The same policy is applied again at delivery (README "Security").

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config } from '../config/index.js';
import { parseTarget, targetPolicy, tlsPathExists, type DialoutRequest } from '../dialout/index.js';
import { checkUrlDestination } from '../notify/destination-guard.js';
import { DestinationPolicy } from '../notify/destination-policy.js';

const policies = new WeakMap<Config, DestinationPolicy>();

export function notifyPolicy(config: Config): DestinationPolicy {
  let policy = policies.get(config);
  if (!policy) policies.set(config, (policy = new DestinationPolicy(config.notifications.allowedDestinations)));
  return policy;
}

const DNS_TIMEOUT_MS = 2000;

async function resolveWithin(host: string): Promise<string[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DNS_TIMEOUT_MS)));
  try {
    const found = await Promise.race([lookup(host, { all: true }).catch(() => undefined), timeout]);
    return found?.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with the dialout's destinations, as a 400 message naming the field; undefined when none. */
export async function destinationRefusal(req: DialoutRequest, config: Config): Promise<string | undefined> {
  if (req.notifyUrl !== undefined) {
    const why = await checkUrlDestination(req.notifyUrl, notifyPolicy(config), DNS_TIMEOUT_MS);
    if (why !== undefined) return `notifyUrl ${why}`;
  }
  if (req.trunk === undefined) {
    const target = parseTarget(req.target, { tls: tlsPathExists(config) });
    if (target.scheme === 'sip' && isIP(target.host.replace(/^\[|\]$/g, '')) === 0) {
      const addresses = await resolveWithin(target.host);
      const why = addresses && targetPolicy(req.account).checkResolved(target.host, addresses);
      if (why) return `target is not an allowed destination: ${why}`;
    }
  }
  return undefined;
}
