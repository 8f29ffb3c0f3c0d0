export { EmbeddedEdge, type EmbeddedEdgeOptions, type WireEndpoint } from './core/index.js';
export { defaultTimers, transactionTimeout, type TimerValues } from './transaction/index.js';
export { MAX_DATAGRAM, defaultTcpLimits, type Peer, type TcpLimits } from './transport/index.js';
