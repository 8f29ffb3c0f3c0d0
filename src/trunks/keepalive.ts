// OPTIONS keepalive of a trunk (`ping: { intervalSec }`, docs/trunks.md): a trunk that leaves 3 pings in a
// row unanswered is down and calls skip it; the first answer brings it back.

import type { Logger } from '../log/index.js';
import type { FinalResponse, SipRequester } from './sip-request.js';

/** Pings missed in a row before a trunk is down. */
export const missesToDown = 3;

export interface KeepaliveOptions {
  /** Where the OPTIONS go: the trunk's host, port and transport. */
  uri: string;
  intervalMs: number;
  request: SipRequester;
  logger: Logger;
  /** Told each time the trunk goes down or comes back up. */
  onChange(up: boolean): void;
  /** Whether our own SIP edge is connected: while it is not, no ping is sent and none counts as missed. */
  edgeConnected?: () => boolean;
}

/**
 * Whether a response to OPTIONS shows a carrier that takes requests. Any answer does (405 or 501 are a
 * live proxy that dislikes OPTIONS) except a timeout and a 503: an overloaded or unreachable carrier.
 */
export function answersPing(result: FinalResponse | 'timeout'): boolean {
  if (result === 'timeout') return false;
  return result.status !== 408 && result.status !== 503;
}

export class TrunkKeepalive {
  private missed = 0;
  private isUp = true;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly options: KeepaliveOptions) {}

  /** Up until it has missed `missesToDown` pings in a row. */
  get up(): boolean {
    return this.isUp;
  }

  get missedInARow(): number {
    return this.missed;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.ping();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async ping(): Promise<void> {
    const started = Date.now();
    const { intervalMs, uri } = this.options;
    if (this.options.edgeConnected?.() ?? true) {
      // A ping unanswered by the time the next one is due counts as missed.
      const result = await this.options.request(uri, { method: 'OPTIONS', headers: { 'Max-Forwards': '70' } }, intervalMs);
      if (this.stopped) return;
      this.record(result);
    }
    this.timer = setTimeout(() => void this.ping(), Math.max(0, started + intervalMs - Date.now()));
    this.timer.unref();
  }

  private record(result: FinalResponse | 'timeout'): void {
    if (answersPing(result)) {
      this.missed = 0;
      if (!this.isUp) {
        this.isUp = true;
        this.options.logger.info({ trunk: this.options.uri }, 'trunk answers OPTIONS again: up');
        this.options.onChange(true);
      }
      return;
    }
    this.missed++;
    if (this.isUp && this.missed >= missesToDown) {
      this.isUp = false;
      const last = result === 'timeout' ? 'no answer' : `${result.status} ${result.reason}`;
      this.options.logger.warn({ trunk: this.options.uri, missed: this.missed, last }, 'trunk missed its OPTIONS pings: down');
      this.options.onChange(false);
    }
  }
}
