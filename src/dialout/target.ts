import type { AccountConfig, TrunkConfig } from '../config/index.js';
import { DestinationPolicy } from '../notify/destination-policy.js';
import { DialoutInvalid } from './errors.js';
import { ranksTrunks } from '../trunks/index.js';
import { formatSipUri, parseSipUri } from './sip-uri.js';

export type Target = { scheme: 'tel'; number: string } | { scheme: 'sip'; uri: string; user?: string; host: string; port?: number };

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

export function parseTarget(target: string): Target {
  const tel = telPattern.exec(target);
  if (tel) return { scheme: 'tel', number: tel[1]! };
  if (!/^sips?:/i.test(target)) throw new DialoutInvalid('target', `target ${targetRule}`);
  if (/^sips?:$/i.test(target)) throw new DialoutInvalid('target', `target ${targetRule}`);
  const uri = parseSipUri(target, 'target');
  return { scheme: 'sip', uri: formatSipUri(uri), ...(uri.user !== undefined && { user: uri.user }), host: uri.host, ...(uri.port !== undefined && { port: uri.port }) };
}

/** The fields of a trunk that routing reads. */
type RoutableTrunk = Pick<TrunkConfig, 'name' | 'host' | 'port' | 'transport' | 'default'> & Partial<Pick<TrunkConfig, 'priority' | 'weight'>>;
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
/** A TCP trunk is reached over TCP: the Request-URI says so (RFC 3261 §19.1.1 transport parameter). */
function transportParam(trunk: RoutableTrunk): string {
  return trunk.transport === 'tcp' ? ';transport=tcp' : '';
}

export function routeTarget<T extends RoutableTrunk>(target: string, account: RoutableAccount<T>, trunkName?: string): { requestUri: string; trunk?: T } {
  const parsed = parseTarget(target);
  if (parsed.scheme === 'tel') {
    const trunk = findTrunk(account, trunkName, true)!;
    return { requestUri: `sip:${parsed.number}@${trunk.host}:${trunk.port}${transportParam(trunk)}`, trunk };
  }
  const trunk = findTrunk(account, trunkName, false);
  if (!trunk) {
    const refused = targetPolicy(account).checkSipHost(parsed.host);
    if (refused !== undefined) throw new DialoutInvalid('target', `target is not an allowed destination: ${refused}`);
    return { requestUri: parsed.uri };
  }
  const user = parsed.user === undefined ? '' : `${parsed.user}@`;
  return { requestUri: `sip:${user}${trunk.host}:${trunk.port}${transportParam(trunk)}`, trunk };
}

const policies = new WeakMap<object, DestinationPolicy>();

/** The account's `allowedTargets` (domains, CIDRs) for sip: targets sent to their own host; the default policy without one. */
export function targetPolicy(account: Pick<AccountConfig, 'allowedTargets'>): DestinationPolicy {
  let policy = policies.get(account);
  if (!policy) policies.set(account, (policy = new DestinationPolicy(account.allowedTargets)));
  return policy;
}
