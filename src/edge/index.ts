export { EmbeddedEdge, type EmbeddedEdgeOptions, type WireEndpoint } from './core/index.js';
export { defaultTimers, transactionTimeout, type TimerValues } from './transaction/index.js';
export { MAX_DATAGRAM, type Peer } from './transport/index.js';
