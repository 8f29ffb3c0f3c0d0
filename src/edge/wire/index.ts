export { WireServer } from './wire-server.js';
export { WireClient } from './wire-client.js';
export { wireReply } from './wire-reply.js';
export { parseAppFrame, type AppFrame, type SipFrame } from './wire-frames.js';
