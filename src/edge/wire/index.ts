export { WireServer } from './wire-server.js';
export { WireClient } from './wire-client.js';
export { sentRequestEcho, sentResponseEcho, sipToApp, apiResponse, type AppFrame } from './wire-format.js';
