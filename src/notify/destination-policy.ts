// Where outdial may send what a tenant names: notifyUrl (HTTP) and sip: targets. Documented in the README,
// section "Security".
//
// Addresses fall into classes. Link-local (169.254.0.0/16 with the cloud metadata service, fe80::/10),
// unspecified (0.0.0.0/8, ::), multicast and reserved addresses are never a dialer's or a carrier's address,
// so they are refused unless the operator lists them. Loopback and private addresses are allowed by default:
// outdial usually runs beside the dialer that posts to it (the README's own example posts to 127.0.0.1). An
// operator who serves tenants it does not trust lists what they may reach (CIDRs and host names); then
// nothing else is allowed.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

/** Classes refused unless an entry of the operator's list lies inside them. */
const refusedByDefault: ReadonlySet<AddressClass> = new Set(['link-local', 'unspecified', 'multicast', 'reserved']);

type Block = { net: string; prefix: number; family: 'ipv4' | 'ipv6'; cls: AddressClass };

const blocks: readonly Block[] = [
  { net: '0.0.0.0', prefix: 8, family: 'ipv4', cls: 'unspecified' },
  { net: '127.0.0.0', prefix: 8, family: 'ipv4', cls: 'loopback' },
  { net: '10.0.0.0', prefix: 8, family: 'ipv4', cls: 'private' },
  { net: '172.16.0.0', prefix: 12, family: 'ipv4', cls: 'private' },
  { net: '192.168.0.0', prefix: 16, family: 'ipv4', cls: 'private' },
  { net: '100.64.0.0', prefix: 10, family: 'ipv4', cls: 'private' },
  { net: '169.254.0.0', prefix: 16, family: 'ipv4', cls: 'link-local' },
  { net: '224.0.0.0', prefix: 4, family: 'ipv4', cls: 'multicast' },
  { net: '240.0.0.0', prefix: 4, family: 'ipv4', cls: 'reserved' },
  { net: '::', prefix: 128, family: 'ipv6', cls: 'unspecified' },
  { net: '::1', prefix: 128, family: 'ipv6', cls: 'loopback' },
  { net: 'fe80::', prefix: 10, family: 'ipv6', cls: 'link-local' },
  { net: 'fc00::', prefix: 7, family: 'ipv6', cls: 'private' },
  { net: 'fec0::', prefix: 10, family: 'ipv6', cls: 'private' },
  { net: 'ff00::', prefix: 8, family: 'ipv6', cls: 'multicast' },
  { net: '100::', prefix: 64, family: 'ipv6', cls: 'reserved' },
];

/** An address as bits: 4 bytes (IPv4) or 16 (IPv6). Plain arithmetic: this runs on every dialout. */
type Bits = { v6: boolean; bytes: number[] };

function bitsOf(address: string): Bits {
  if (isIP(address) === 4) return { v6: false, bytes: address.split('.').map(Number) };
  return { v6: true, bytes: ipv6Groups(address).flatMap((g) => [g >> 8, g & 255]) };
}

/** A CIDR: whether `a` lies in `net`/`prefix` (same family only). */
type Cidr = { v6: boolean; bytes: number[]; prefix: number };

function inCidr(a: Bits, c: Cidr): boolean {
  if (a.v6 !== c.v6) return false;
  let bits = c.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a.bytes[i]! & mask) !== (c.bytes[i]! & mask)) return false;
  }
  return true;
}

const classCidrs: ReadonlyArray<Cidr & { cls: AddressClass }> = blocks.map((b) => ({ ...bitsOf(b.net), prefix: b.prefix, cls: b.cls }));

/** The eight 16-bit groups of an IPv6 address (valid per `isIP`), a trailing dotted quad included. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d in any spelling) and NAT64
 * (64:ff9b::/96). IPv4-compatible addresses (::a.b.c.d, deprecated) answer 'compatible'.
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const v4 = (): string => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  const zeros = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4();
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4();
  if (zeros(6) && (g[6] !== 0 || g[7]! > 1)) return 'compatible';
  return undefined;
}

/** Strips the brackets of a URL's IPv6 host. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The class of an IP address (any textual form `isIP` accepts); undefined when it is not an address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const ip = bare(address);
  const family = isIP(ip);
  if (family === 0) return undefined;
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    // IPv4-compatible addresses (deprecated) are no one's real address.
    if (v4 === 'compatible') return 'reserved';
    if (v4 !== undefined) return classifyAddress(v4);
  }
  const bits = bitsOf(ip);
  for (const c of classCidrs) if (inCidr(bits, c)) return c.cls;
  return 'public';
}

/** One entry of an operator's list: a CIDR (or a single address), a host name, or `*.domain` for its subdomains. */
type Entry = { kind: 'cidr'; cidr: Cidr; special: boolean } | { kind: 'name'; name: string; subdomains: boolean };

export class DestinationPolicyError extends Error {
  override readonly name = 'DestinationPolicyError';
}

function parseEntry(text: string): Entry {
  const entry = text.trim().toLowerCase();
  const [addr, prefixText] = entry.split('/', 2) as [string, string | undefined];
  const family = isIP(bare(addr));
  if (family !== 0) {
    const ip = bare(addr);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
      throw new DestinationPolicyError(`"${text}" has a prefix length outside 0–${max}`);
    }
    const cidr: Cidr = { ...bitsOf(ip), prefix };
    // An entry inside a refused-by-default block (169.254.169.254/32, fe80::/64) says the operator means it;
    // a broad one (0.0.0.0/0) does not open the metadata service by accident.
    const cls = classifyAddress(ip)!;
    const block = blocks.find((b) => b.cls === cls && b.family === (family === 4 ? 'ipv4' : 'ipv6'));
    const special = refusedByDefault.has(cls) && block !== undefined && prefix >= block.prefix;
    return { kind: 'cidr', cidr, special };
  }
  if (prefixText !== undefined) throw new DestinationPolicyError(`"${text}" is neither a CIDR nor a host name`);
  const subdomains = entry.startsWith('*.');
  const name = (subdomains ? entry.slice(2) : entry).replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
    throw new DestinationPolicyError(`"${text}" is neither a CIDR nor a host name`);
  }
  return { kind: 'name', name, subdomains };
}

/**
 * An allow-list of destinations, or the default policy when `entries` is undefined. Methods answer why a
 * destination is refused, or undefined when it is allowed.
 */
export class DestinationPolicy {
  readonly #entries: readonly Entry[] | undefined;

  constructor(entries?: readonly string[]) {
    this.#entries = entries?.map(parseEntry);
  }

  /** Whether an operator list is in force (otherwise: the default policy). */
  get restricted(): boolean {
    return this.#entries !== undefined;
  }

  #nameListed(host: string): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return (this.#entries ?? []).some((e) => e.kind === 'name' && (e.subdomains ? name.endsWith(`.${e.name}`) : e.name === name));
  }

  /**
   * An IP address outdial is about to reach; `viaName` is the listed host name it was resolved from, if any
   * (a listed name may resolve to any address but the refused-by-default ones).
   */
  checkAddress(address: string, viaName?: string): string | undefined {
    const ip = bare(address);
    const cls = classifyAddress(ip);
    if (cls === undefined) return `${address} is not an IP address`;
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    const embedded = family === 'ipv6' ? embeddedIpv4(ip) : undefined;
    const v4 = embedded === 'compatible' ? undefined : embedded;
    const bits = bitsOf(ip);
    const bits4 = v4 === undefined ? undefined : bitsOf(v4);
    const matches = (e: Entry): boolean => e.kind === 'cidr' && (inCidr(bits, e.cidr) || (bits4 !== undefined && inCidr(bits4, e.cidr)));
    const entries = this.#entries;
    if (refusedByDefault.has(cls)) {
      if (entries?.some((e) => e.kind === 'cidr' && e.special && matches(e))) return undefined;
      return `${address} is ${cls === 'unspecified' ? 'an' : 'a'} ${cls} address`;
    }
    if (entries === undefined) return undefined;
    if (viaName !== undefined && this.#nameListed(viaName)) return undefined;
    if (entries.some(matches)) return undefined;
    return `${address} is not in the allowed destinations`;
  }

  /**
   * A host as a URL or SIP URI names it, before any DNS: an IP literal is checked at once; a host name is
   * refused here only when an operator list names no such host and holds no address range it could resolve into.
   */
  checkHost(host: string): string | undefined {
    const h = bare(host);
    if (isIP(h) !== 0) return this.checkAddress(h);
    if (this.#entries === undefined || this.#nameListed(h)) return undefined;
    if (this.#entries.some((e) => e.kind === 'cidr')) return undefined;
    return `${host} is not in the allowed destinations`;
  }

  /**
   * A sip: target's host before any DNS: an IP literal is checked; under an operator list a host name must be
   * listed by name. The addresses it then resolves to are checked one by one (src/dialout/target-address.ts).
   */
  checkSipHost(host: string): string | undefined {
    const h = bare(host);
    if (isIP(h) !== 0) return this.checkAddress(h);
    if (this.#entries === undefined || this.#nameListed(h)) return undefined;
    return `${host} is not in the allowed destinations`;
  }

  /** Every address the name resolves to, checked; the first refusal, or undefined when all are allowed. */
  checkResolved(host: string, addresses: readonly string[]): string | undefined {
    for (const a of addresses) {
      const why = this.checkAddress(a, host);
      if (why !== undefined) return `${host} resolves to ${why.replace(/^\S+ is/, `${a}, which is`)}`;
    }
    return undefined;
  }
}

/** Error code of a connection refused by the policy (on the `cause` of a failed fetch). */
export const DESTINATION_REFUSED = 'EDESTINATIONREFUSED';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connect that checks every address a name resolves to before the socket connects
 * to it, so what was checked is what is reached (no DNS rebinding between a check and the connect).
 */
export function guardedLookup(policy: () => DestinationPolicy) {
  return (hostname: string, options: { family?: number | string | undefined; all?: boolean | undefined; hints?: number | undefined }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const why = policy().checkResolved(hostname, addresses.map((a) => a.address));
      if (why !== undefined) {
        const refused: NodeJS.ErrnoException = new Error(`destination refused: ${why}`);
        refused.code = DESTINATION_REFUSED;
        return callback(refused, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
