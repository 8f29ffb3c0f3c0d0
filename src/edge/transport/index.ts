export { SipTransport, type TlsSetup } from './sip-transport.js';
export { MAX_DATAGRAM } from './udp-transport.js';
export { defaultPort, isReliable, peerKey, type Peer, type TransportName } from './peer.js';
export { StreamFramer } from './stream-framer.js';
export { defaultTcpLimits, type TcpLimits } from './tcp-limits.js';
export { normalizeFingerprint, type TlsCredentials, type TlsPeerCheck } from './tls-transport.js';
export { bound } from './bind.js';
