// RFC 3263 §4.1: which NAPTR records of a SIP domain lead to SRV names for a transport. Pure.

export type SipTransportName = 'udp' | 'tcp' | 'tls';

export interface NaptrRecord {
  order: number;
  preference: number;
  flags: string;
  services: string;
  replacement: string;
}

/** The NAPTR service field for each transport (RFC 3263 §4.1, RFC 3261 §26.2.2 for SIPS). */
export const naptrService: Record<SipTransportName, string> = { udp: 'SIP+D2U', tcp: 'SIP+D2T', tls: 'SIPS+D2T' };

/** The SRV name a domain without NAPTR records is looked up under (RFC 3263 §4.1, last paragraph). */
export function srvName(domain: string, transport: SipTransportName): string {
  return transport === 'tls' ? `_sips._tcp.${domain}` : `_sip._${transport}.${domain}`;
}

/** SRV names for `transport`, in NAPTR order then preference; records for other transports are skipped. */
export function srvNamesFromNaptr(records: readonly NaptrRecord[], transport: SipTransportName): string[] {
  return records
    .filter((r) => r.flags.toLowerCase() === 's' && r.services.toUpperCase() === naptrService[transport] && r.replacement !== '' && r.replacement !== '.')
    .sort((a, b) => a.order - b.order || a.preference - b.preference)
    .map((r) => r.replacement.replace(/\.$/, ''));
}
