import { readFileSync } from 'node:fs';
import { MAX_STREAM_MESSAGE } from './stream-framer.js';

/**
 * What SIP/TCP may hold of the process. Every connection is a file descriptor shared with the HTTP API, RTP
 * and Redis, so inbound connections are bounded in total and per source address, a connection must complete
 * its first message (and any message it begins) quickly, and no message may grow past `maxMessageBytes`.
 */
export interface TcpLimits {
  /** Inbound connections held at once; one more is closed as soon as it is accepted. */
  maxConnections: number;
  /** Inbound connections from one address at once. */
  maxConnectionsPerSource: number;
  /** How long a new connection has to deliver its first whole message, and any message once its first byte came. */
  messageDeadlineMs: number;
  /** A connection nobody used for this long is closed; a later message opens a new one. */
  idleMs: number;
  /** Largest message, headers and body, read from a stream. */
  maxMessageBytes: number;
}

/** At most a quarter of the process's descriptors go to inbound SIP/TCP, and never more than 1,000. */
export function defaultTcpLimits(): TcpLimits {
  return {
    maxConnections: Math.max(16, Math.min(1000, Math.floor(openFileLimit() / 4))),
    maxConnectionsPerSource: 32,
    messageDeadlineMs: 5_000,
    idleMs: 300_000,
    maxMessageBytes: MAX_STREAM_MESSAGE,
  };
}

/** The soft RLIMIT_NOFILE, read from /proc where there is one. */
function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // Not Linux: assume the common default.
  }
  return 4096;
}
