// The destination policy applied to outgoing HTTP (notifications, bot events): at request time on the URL
// as given, and at delivery time on the address the socket actually connects to.

import { isIP } from 'node:net';
import { Agent } from 'undici';
import { hasControlChar } from '../dialout/sip-grammar.js';
import { systemLookupWithin } from '../dns/index.js';
import { DESTINATION_REFUSED, DestinationPolicy, guardedLookup } from './destination-policy.js';

let installed = new DestinationPolicy();

/** The daemon installs the config's `notifications.allowedDestinations` once at start; the default policy until then. */
export function installDestinationPolicy(policy: DestinationPolicy): void {
  installed = policy;
}

export function destinationPolicy(): DestinationPolicy {
  return installed;
}

let dispatcher: Agent | undefined;

/** The fetch dispatcher whose every connection is checked against the installed policy. */
export function guardedDispatcher(): NonNullable<RequestInit['dispatcher']> {
  dispatcher ??= new Agent({ connect: { lookup: guardedLookup(destinationPolicy) } });
  // undici's Agent and the global fetch's typings (undici-types) describe the same object in two packages.
  return dispatcher as unknown as NonNullable<RequestInit['dispatcher']>;
}

/**
 * Why `url` may not be delivered to now, or undefined. Host names are checked by the dispatcher when it
 * connects; IP literals (which reach no lookup) here.
 */
export function deliveryRefusal(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (parsed.username !== '' || parsed.password !== '') return 'the URL carries user:password@';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 ? installed.checkAddress(host) : undefined;
}

/** Whether a failed fetch failed because the policy refused the address its host name resolved to. */
export function refusedByPolicy(err: unknown): boolean {
  return (err as { cause?: { code?: string } } | undefined)?.cause?.code === DESTINATION_REFUSED;
}

/**
 * Request time: why an http(s) URL a tenant gives can never be delivered to under `policy`, or undefined.
 * The URL's host as the WHATWG parser normalises it (127.1, 0x7f000001 and [::ffff:127.0.0.1] all become
 * loopback literals) is checked; a host name is resolved once (within `dnsTimeoutMs`) and each address
 * checked. A name that does not resolve now is let through: delivery retries and checks it again.
 */
export async function checkUrlDestination(url: string, policy: DestinationPolicy, dnsTimeoutMs = 2000): Promise<string | undefined> {
  // The URL parser would quietly drop or escape them; a tenant must hear that the URL is wrong.
  if (hasControlChar(url)) return 'must not contain control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry user:password@ (send credentials in a header)';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return prefix(policy.checkAddress(host));
  const byName = policy.checkHost(host);
  if (byName !== undefined) return prefix(byName);
  const addresses = await systemLookupWithin(host, dnsTimeoutMs);
  return addresses === undefined ? undefined : prefix(policy.checkResolved(host, addresses.map((a) => a.address)));
}

function prefix(why: string | undefined): string | undefined {
  return why === undefined ? undefined : `is not an allowed destination: ${why}`;
}
