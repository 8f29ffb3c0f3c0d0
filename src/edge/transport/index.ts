export { SipTransport } from './sip-transport.js';
export { MAX_DATAGRAM } from './udp-transport.js';
export { isReliable, peerKey, type Peer, type TransportName } from './peer.js';
export { StreamFramer } from './stream-framer.js';
export { defaultTcpLimits, type TcpLimits } from './tcp-limits.js';
export { bound } from './bind.js';
