export { EmbeddedEdge, type EmbeddedEdgeOptions, type WireEndpoint } from './core/index.js';
export { defaultTimers, transactionTimeout, type TimerValues } from './transaction/index.js';
export { MAX_DATAGRAM, defaultTcpLimits, normalizeFingerprint, type Peer, type TcpLimits, type TlsPeerCheck, type TlsSetup } from './transport/index.js';
