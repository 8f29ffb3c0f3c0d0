export { Daemon, stopBoundMs, type Health } from './daemon.js';
