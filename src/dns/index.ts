export { systemLookupWithin } from './system-lookup.js';
export { SipResolver, hopUri, type NamedSipHop, type SipHop, type SipResolverOptions } from './sip-resolver.js';
export { DnsClient, DnsError, parseServer, type DnsAnswer, type DnsClientOptions, type QueryType } from './dns-client.js';
export { orderSrv, type SrvRecord } from './srv-order.js';
export { naptrService, srvName, srvNamesFromNaptr, type NaptrRecord, type SipTransportName } from './naptr.js';
