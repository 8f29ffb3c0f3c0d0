import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** The `media.rtp` section of the config file. */
export interface RtpPortRange {
  host: string;
  portMin: number;
  portMax: number;
}

/** One bound RTP socket on an even port; give it back with `release()` (idempotent). */
export interface RtpPortLease {
  readonly host: string;
  readonly port: number;
  readonly socket: Socket;
  release(): void;
  /** Counts a packet dropped because it came from an address the call's SDP does not name. */
  stray?(): void;
}

/** Every even port of the range is held by outdial or by another process. */
export class RtpPortsExhaustedError extends Error {
  override readonly name = 'RtpPortsExhaustedError';
}

function bind(host: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    const onError = (): void => {
      socket.close();
      resolve(undefined);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Hands out even RTP ports (RFC 3550 §11: RTP on even, RTCP on the next odd port) from `media.rtp`, each
 * with a bound UDP socket. The port is drawn at random, so nobody can guess the next call's port and spray
 * it before the answer; ports released lately are passed over while others are free (late packets of the
 * old call would land in the new one). Ports that another process holds are skipped.
 */
export class RtpPortPool {
  readonly host: string;
  readonly portMin: number;
  readonly portMax: number;
  readonly #held = new Set<number>();
  readonly #first: number;
  readonly #count: number;
  /** Recently released ports, oldest first; bounded to half the range (at most 1024). */
  readonly #recent = new Set<number>();
  readonly #recentMax: number;
  #strays = 0;

  constructor(range: RtpPortRange) {
    if (!Number.isInteger(range.portMin) || !Number.isInteger(range.portMax) || range.portMin < 1 || range.portMax > 65535) {
      throw new RangeError(`media.rtp port range ${range.portMin}–${range.portMax} is not within 1–65535`);
    }
    this.host = range.host;
    this.portMin = range.portMin;
    this.portMax = range.portMax;
    this.#first = range.portMin % 2 === 0 ? range.portMin : range.portMin + 1;
    this.#count = this.#first > range.portMax ? 0 : Math.floor((range.portMax - this.#first) / 2) + 1;
    if (this.#count === 0) throw new RangeError(`media.rtp port range ${range.portMin}–${range.portMax} holds no even port`);
    this.#recentMax = Math.min(1024, Math.floor(this.#count / 2));
  }

  /** Packets dropped on any of this pool's ports because they came from an address no SDP named. */
  get packetsFromUnexpectedSources(): number {
    return this.#strays;
  }

  /** Ports currently leased. */
  get inUse(): number {
    return this.#held.size;
  }

  /** How many even ports the range holds. */
  get capacity(): number {
    return this.#count;
  }

  /** Bind a free even port drawn at random; throws RtpPortsExhaustedError when none is left. */
  async allocate(): Promise<RtpPortLease> {
    // Two passes from a random start: the first passes over recently released ports, the second takes them.
    const start = randomInt(this.#count);
    const failed = new Set<number>();
    for (let tried = 0; tried < 2 * this.#count; tried++) {
      const port = this.#first + 2 * ((start + tried) % this.#count);
      if (this.#held.has(port) || failed.has(port)) continue;
      if (tried < this.#count && this.#recent.has(port)) continue;
      // Reserve before the asynchronous bind so concurrent allocations never race for one port.
      this.#held.add(port);
      const socket = await bind(this.host, port);
      if (!socket) {
        this.#held.delete(port);
        failed.add(port);
        continue;
      }
      this.#recent.delete(port);
      return this.#lease(port, socket);
    }
    throw new RtpPortsExhaustedError(
      `no free RTP port in media.rtp ${this.host}:${this.portMin}–${this.portMax} (${this.#held.size} held by outdial, the rest by other processes)`,
    );
  }

  #lease(port: number, socket: Socket): RtpPortLease {
    let released = false;
    const held = this.#held;
    const recent = this.#recent;
    const recentMax = this.#recentMax;
    return {
      host: this.host,
      port,
      socket,
      release(): void {
        if (released) return;
        released = true;
        socket.removeAllListeners('message');
        try {
          socket.close();
        } catch {
          // Already closed by its owner: the port is free either way.
        }
        held.delete(port);
        recent.add(port);
        if (recent.size > recentMax) recent.delete(recent.values().next().value!);
      },
      stray: (): void => {
        this.#strays++;
      },
    };
  }
}
