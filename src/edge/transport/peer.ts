/** Which transport carries a message; UDP when absent. */
export type TransportName = 'udp' | 'tcp' | 'tls';

/** Where a message came from or goes to. Over TCP and TLS it also names the connection (remote address:port). */
export interface Peer {
  address: string;
  port: number;
  transport?: TransportName;
  /**
   * Over TLS: the name the far end's certificate must carry when a new connection is opened (RFC 5922: the
   * domain of the URI the request is sent to), where `address` is only what that name resolved to.
   */
  tlsName?: string;
}

/** True when the transport itself retransmits, so the RFC 3261 §17 retransmission timers stay off. */
export function isReliable(peer: Peer): boolean {
  return peer.transport === 'tcp' || peer.transport === 'tls';
}

/** The port a transport uses when a URI names none (RFC 3261 §19.1.2). */
export function defaultPort(transport: TransportName | undefined): number {
  return transport === 'tls' ? 5061 : 5060;
}

export function peerKey(peer: Peer): string {
  return `${peer.address}:${peer.port}`;
}
