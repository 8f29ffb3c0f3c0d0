export { connectSip, type SipConnection } from './connect-sip.js';
