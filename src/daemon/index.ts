export { Daemon, type Health } from './daemon.js';
export { stopBoundMs } from './stop-bounds.js';
