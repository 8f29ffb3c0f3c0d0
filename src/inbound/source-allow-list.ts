// Which addresses may send INVITEs to an inbound route: single addresses and CIDR blocks, IPv4 or IPv6.

import { BlockList, isIP } from 'node:net';

function parseEntry(entry: string): { address: string; prefix: number | undefined; family: 'ipv4' | 'ipv6' } | string {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  if (extra !== undefined) return `"${entry}" is not an address or CIDR block`;
  const version = isIP(address);
  if (version === 0) return `"${entry}" is not an IP address or CIDR block`;
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: undefined, family: version === 4 ? 'ipv4' : 'ipv6' };
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) return `"${entry}" has a prefix length outside 0–${max}`;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** What is wrong with an allow-list entry, or undefined when it is an address or a CIDR block. */
export function sourceEntryProblem(entry: string): string | undefined {
  const parsed = parseEntry(entry);
  return typeof parsed === 'string' ? parsed : undefined;
}

export class SourceAllowList {
  private readonly list = new BlockList();

  /** Entries must have passed sourceEntryProblem (the config schema checks them). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if (typeof parsed === 'string') throw new Error(parsed);
      if (parsed.prefix === undefined) this.list.addAddress(parsed.address, parsed.family);
      else this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** Whether `address` (as the SIP edge reports the packet's source) is on the list. */
  allows(address: string): boolean {
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1]! : address;
    const version = isIP(plain);
    if (version === 0) return false;
    return this.list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
  }
}
