import type { AccountConfig, Config, TrunkConfig } from '../config/index.js';
import { DestinationPolicy } from '../notify/destination-policy.js';
import { DialoutInvalid } from './errors.js';
import { ranksTrunks, trunkHostport, trunkTransportParam } from '../trunks/index.js';
import { formatSipUri, parseSipUri, type SipUriOptions } from './sip-uri.js';

export type Target =
  | { scheme: 'tel'; number: string }
  | {
      scheme: 'sip';
      uri: string;
      user?: string;
      host: string;
      port?: number;
      /** sips:, or transport=tls */
      tls?: boolean;
      /** The URI's transport parameter (lower case), when it has one. */
      transport?: string;
    };

/**
 * Whether the SIP edge can carry TLS both ways: the embedded edge listens for TLS when sip.embedded.tls is
 * set; a drachtio-server's TLS is its own configuration (docs/sip-edge.md), so it is trusted to have it.
 */
export function tlsPathExists(config: Pick<Config, 'sip'>): boolean {
  return config.sip.edge === 'drachtio' || config.sip.embedded.tls !== undefined;
}

const telBody = String.raw`tel:(\+?[1-9][0-9]{1,14})`;
const telPattern = new RegExp(`^${telBody}$`);

/**
 * Regex source for the HTTP schemas: the scheme only. parseTarget then checks the rest against the grammar
 * and names what is wrong (a URI headers part, sips:, a malformed user or host).
 */
export const targetPattern = '^(?:[Tt][Ee][Ll]|[Ss][Ii][Pp][Ss]?):';

export const targetRule = 'must be a tel: URI with E.164 digits (tel:+15551234567) or a sip: URI (sip:user@host)';

/** Longest target, caller or caller field taken (they all end up in one SIP message). */
export const maxSipFieldLength = 256;

export function parseTarget(target: string, options: SipUriOptions = {}): Target {
  const tel = telPattern.exec(target);
  if (tel) return { scheme: 'tel', number: tel[1]! };
  if (!/^sips?:/i.test(target)) throw new DialoutInvalid('target', `target ${targetRule}`);
  if (/^sips?:$/i.test(target)) throw new DialoutInvalid('target', `target ${targetRule}`);
  const uri = parseSipUri(target, 'target', options);
  const transport = uri.params.find(([name]) => name === 'transport')?.[1];
  const tls = uri.secure === true || transport === 'tls';
  return {
    scheme: 'sip',
    uri: formatSipUri(uri),
    ...(uri.user !== undefined && { user: uri.user }),
    host: uri.host,
    ...(uri.port !== undefined && { port: uri.port }),
    ...(tls && { tls }),
    ...(transport !== undefined && { transport }),
  };
}

/** The fields of a trunk that routing reads. */
type RoutableTrunk = Pick<TrunkConfig, 'name' | 'host' | 'transport' | 'default'> & Partial<Pick<TrunkConfig, 'port' | 'priority' | 'weight'>>;
type RoutableAccount<T extends RoutableTrunk> = Pick<AccountConfig, 'name' | 'allowedTargets'> & { trunks: T[] };

function findTrunk<T extends RoutableTrunk>(account: RoutableAccount<T>, name: string | undefined, needed: boolean): T | undefined {
  if (name !== undefined) {
    const trunk = account.trunks.find((t) => t.name === name);
    if (!trunk) throw new DialoutInvalid('trunk', `trunk "${name}" is not a trunk of account "${account.name}"`);
    return trunk;
  }
  if (!needed) return undefined;
  // An account that ranks its trunks (priority, weight) needs no default: the call's route picks per call.
  const trunk = account.trunks.find((t) => t.default) ?? (account.trunks.length === 1 || ranksTrunks(account.trunks) ? account.trunks[0] : undefined);
  if (!trunk) throw new DialoutInvalid('trunk', `account "${account.name}" has no default trunk; name one in trunk`);
  return trunk;
}

/**
 * Where the INVITE goes: tel: targets through the named or default trunk, sip: targets to their own host
 * unless a trunk is named (then the user part goes to the trunk).
 */
/**
 * A TCP or TLS trunk is reached over TCP or TLS: the Request-URI says so (RFC 3261 §19.1.1 transport
 * parameter). `options.tls` says whether the SIP edge has TLS (tlsPathExists): without it sips: and
 * transport=tls targets are refused; a sips: target through a trunk needs a TLS trunk, and keeps sips:.
 */
export function routeTarget<T extends RoutableTrunk>(
  target: string,
  account: RoutableAccount<T>,
  trunkName?: string,
  options: SipUriOptions = {},
): { requestUri: string; trunk?: T } {
  const parsed = parseTarget(target, options);
  if (parsed.scheme === 'tel') {
    const trunk = findTrunk(account, trunkName, true)!;
    return { requestUri: `sip:${parsed.number}@${trunkHostport(trunk)}${trunkTransportParam(trunk)}`, trunk };
  }
  const trunk = findTrunk(account, trunkName, false);
  if (!trunk) {
    const refused = targetPolicy(account).checkSipHost(parsed.host);
    if (refused !== undefined) throw new DialoutInvalid('target', `target is not an allowed destination: ${refused}`);
    return { requestUri: parsed.uri };
  }
  const user = parsed.user === undefined ? '' : `${parsed.user}@`;
  if (parsed.tls) {
    if (trunk.transport !== 'tls') throw new DialoutInvalid('target', `target asks for TLS (sips: or transport=tls) but trunk "${trunk.name}" uses ${trunk.transport}`);
    if (/^sips:/i.test(parsed.uri)) return { requestUri: `sips:${user}${trunkHostport(trunk)}`, trunk };
  }
  return { requestUri: `sip:${user}${trunkHostport(trunk)}${trunkTransportParam(trunk)}`, trunk };
}

const policies = new WeakMap<object, DestinationPolicy>();

/** The account's `allowedTargets` (domains, CIDRs) for sip: targets sent to their own host; the default policy without one. */
export function targetPolicy(account: Pick<AccountConfig, 'allowedTargets'>): DestinationPolicy {
  let policy = policies.get(account);
  if (!policy) policies.set(account, (policy = new DestinationPolicy(account.allowedTargets)));
  return policy;
}
