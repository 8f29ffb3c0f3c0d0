// Where a sip: target sent to its own host (no trunk) is reached: its host found the way RFC 3263 §4 says,
// as trunk domains are (docs/trunks.md, "DNS (RFC 3263)"), and every address DNS gives checked against the
// account's destination policy before an INVITE may go there. An address the policy refuses is never
// tried; when none is left the dialout is refused as a refused literal address is (README, "Security").

import { isIP } from 'node:net';
import type { AccountConfig } from '../config/index.js';
import { systemLookupWithin, type NamedSipHop, type SipHop, type SipResolver, type SipTransportName } from '../dns/index.js';
import { DialoutInvalid } from './errors.js';
import { parseTarget, targetPolicy, type Target } from './target.js';
import type { SipUriOptions } from './sip-uri.js';

/** What the target's host is looked up as: a domain with no port through NAPTR/SRV/A, one with a port through A only. */
export interface TargetLookup {
  host: string;
  port?: number;
  transport: SipTransportName;
}

/**
 * RFC 3263 §4.1: the transport= parameter decides, sips: means TLS; without either a sip: URI goes over
 * UDP, the transport outdial sends it over (NAPTR then only names the SRV set for it). An IP address needs no
 * lookup (undefined).
 */
export function targetLookup(target: Extract<Target, { scheme: 'sip' }>): TargetLookup | undefined {
  if (isIP(target.host.replace(/^\[|\]$/g, '')) !== 0) return undefined;
  const transport: SipTransportName = target.tls ? 'tls' : target.transport === 'tcp' ? 'tcp' : 'udp';
  return { host: target.host, ...(target.port !== undefined && { port: target.port }), transport };
}

/** The addresses to try in order, and why each refused one is left out. */
export interface TargetAddresses {
  host: string;
  hops: SipHop[];
  refused: string[];
}

/** Why the policy refuses one hop, naming the target's host, the address and the SRV target it came through. */
function refusal(host: string, hop: NamedSipHop, why: string): string {
  const via = hop.name !== undefined && hop.name !== host ? ` (SRV target ${hop.name})` : '';
  return `${host} resolves to ${hop.address}${via}, which ${why.replace(/^\S+ is /, 'is ')}`;
}

/**
 * Keeps the hops the account's policy allows. Each address is judged with the name it is a record of: a name
 * the operator lists vouches for its own addresses (but never the refused-by-default ones), so an SRV target
 * the list does not name must land in a listed range.
 */
export function allowedHops(host: string, hops: readonly NamedSipHop[], account: Pick<AccountConfig, 'allowedTargets'>): TargetAddresses {
  const policy = targetPolicy(account);
  const allowed: SipHop[] = [];
  const refused: string[] = [];
  for (const hop of hops) {
    const why = policy.checkAddress(hop.address, hop.name);
    if (why === undefined) allowed.push({ address: hop.address, port: hop.port, transport: hop.transport });
    else refused.push(refusal(host, hop, why));
  }
  return { host, hops: allowed, refused };
}

const SYSTEM_LOOKUP_TIMEOUT_MS = 2000;

/** The system's addresses for a name (the hosts file included), IPv4 first; none when it has none in time. */
async function systemAddresses(name: string): Promise<string[]> {
  const found = (await systemLookupWithin(name, SYSTEM_LOOKUP_TIMEOUT_MS)) ?? [];
  return found.sort((a, b) => a.family - b.family).map((a) => a.address);
}

/**
 * The addresses a sip: target sent to its own host is tried at, best first, each allowed by the account's
 * policy; undefined when the target needs no lookup (an IP address, already checked when it was routed).
 * When DNS gives nothing, the system's resolver is asked, so the SIP edge is never handed a name to look up
 * on its own, out of the policy's sight; no address at all is an empty list (the call fails with that reason).
 * Throws DialoutInvalid (field target) when DNS gave addresses and the policy refuses every one.
 */
export async function targetAddresses(
  targetText: string,
  account: Pick<AccountConfig, 'allowedTargets'>,
  resolver: Pick<SipResolver, 'resolveNamed' | 'resolveHost'>,
  options: SipUriOptions = {},
): Promise<TargetAddresses | undefined> {
  const target = parseTarget(targetText, options);
  if (target.scheme !== 'sip') return undefined;
  const how = targetLookup(target);
  if (!how) return undefined;
  const found = how.port === undefined ? await resolver.resolveNamed(how.host, how.transport) : await resolver.resolveHost(how.host, how.port, how.transport);
  const hops: NamedSipHop[] = [];
  for (const hop of found) {
    if (isIP(hop.address) !== 0) hops.push(hop);
    else for (const address of await systemAddresses(hop.address)) hops.push({ ...hop, address, name: hop.address });
  }
  const result = allowedHops(how.host, hops, account);
  if (result.hops.length === 0 && result.refused.length > 0) {
    const more = result.refused.length > 1 ? ` (and ${result.refused.length - 1} more address${result.refused.length > 2 ? 'es' : ''} refused)` : '';
    throw new DialoutInvalid('target', `target is not an allowed destination: ${result.refused[0]}${more}`);
  }
  return result;
}
