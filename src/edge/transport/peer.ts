/** Which transport carries a message; UDP when absent. */
export type TransportName = 'udp' | 'tcp';

/** Where a message came from or goes to. Over TCP it also names the connection (remote address:port). */
export interface Peer {
  address: string;
  port: number;
  transport?: TransportName;
}

/** True when the transport itself retransmits, so the RFC 3261 §17 retransmission timers stay off. */
export function isReliable(peer: Peer): boolean {
  return peer.transport === 'tcp';
}

export function peerKey(peer: Peer): string {
  return `${peer.address}:${peer.port}`;
}
