export { connectSip, SipEdgeAuthError, type ConnectSipOptions, type SipConnection, type SipConnectionEvents } from './connect-sip.js';
export { EDGE_ANSWER_DEADLINE_MS, MAX_EDGE_HEADER_BYTES, MAX_EDGE_MESSAGE_BYTES } from './edge-limits.js';
export { drachtioTlsWarnings } from './drachtio-tls.js';
