export { Daemon, type Health } from './daemon.js';
