import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { parseSipUri, uriOf, type SipMessage } from '../message/index.js';
import { defaultPort, type Peer, type TransportName } from '../transport/index.js';

/** The transport a URI asks for: its transport parameter, TLS for sips: (RFC 3261 §19.1.2, §26.2.2). */
function transportOf(uri: { scheme: string; params: Map<string, string> }): TransportName {
  const param = uri.params.get('transport')?.toLowerCase();
  if (uri.scheme === 'sips' || param === 'tls') return 'tls';
  return param === 'tcp' ? 'tcp' : 'udp';
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/**
 * Where a request goes: the proxy drachtio-srf names, else its first loose Route, else the Request-URI
 * (RFC 3261 §8.1.2). Names are looked up as A records here; outdial resolves trunk domains through
 * NAPTR/SRV itself (src/dns) and names the chosen address as the proxy. Over TLS the certificate must
 * carry the name the request was addressed to (RFC 5922 §4): the proxy's or route's host when it is a
 * name, else the Request-URI's.
 */
export async function nextHop(msg: SipMessage & { uri: string }, proxy?: string): Promise<Peer> {
  const route = msg.getAll('route')[0];
  const target = proxy || (route ? uriOf(route) : msg.uri);
  const uri = parseSipUri(target);
  const host = bare(uri.host);
  const address = isIP(host) ? host : (await lookup(host, { family: 4 })).address;
  const transport = transportOf(uri);
  const peer: Peer = { address, port: uri.port ?? defaultPort(transport), transport };
  if (transport === 'tls') {
    let name = host;
    if (isIP(host) && target !== msg.uri) {
      try {
        const requestHost = bare(parseSipUri(msg.uri).host);
        if (!isIP(requestHost)) name = requestHost;
      } catch {
        // A Request-URI we cannot read names nobody: the address is checked.
      }
    }
    peer.tlsName = name;
  }
  return peer;
}
