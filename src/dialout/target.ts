import type { AccountConfig, TrunkConfig } from '../config/index.js';
import { DialoutInvalid } from './errors.js';
import { ranksTrunks } from '../trunks/index.js';

export type Target = { scheme: 'tel'; number: string } | { scheme: 'sip'; uri: string; user?: string; host: string; port?: number };

const telBody = String.raw`tel:(\+?[1-9][0-9]{1,14})`;
const sipBody = String.raw`sips?:(?:([^@\s;]+)@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?(?:;[^\s]*)?`;
const telPattern = new RegExp(`^${telBody}$`);
const sipPattern = new RegExp(`^${sipBody}$`);

/** Regex source shared with the HTTP schemas so the schema and the parser accept the same targets. */
export const targetPattern = `^(?:${telBody}|${sipBody})$`;

export const targetRule = 'must be a tel: URI with E.164 digits (tel:+15551234567) or a sip: URI (sip:user@host)';

export function parseTarget(target: string): Target {
  const tel = telPattern.exec(target);
  if (tel) return { scheme: 'tel', number: tel[1]! };
  const sip = sipPattern.exec(target);
  if (sip) {
    const port = sip[3] === undefined ? undefined : Number(sip[3]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new DialoutInvalid('target', `target port ${port} is out of range`);
    return { scheme: 'sip', uri: target, ...(sip[1] !== undefined && { user: sip[1] }), host: sip[2]!, ...(port !== undefined && { port }) };
  }
  throw new DialoutInvalid('target', `target ${targetRule}`);
}

/** The fields of a trunk that routing reads. */
type RoutableTrunk = Pick<TrunkConfig, 'name' | 'host' | 'port' | 'transport' | 'default'> & Partial<Pick<TrunkConfig, 'priority' | 'weight'>>;
type RoutableAccount<T extends RoutableTrunk> = Pick<AccountConfig, 'name'> & { trunks: T[] };

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
  if (!trunk) return { requestUri: parsed.uri };
  const user = parsed.user === undefined ? '' : `${parsed.user}@`;
  return { requestUri: `sip:${user}${trunk.host}:${trunk.port}${transportParam(trunk)}`, trunk };
}
