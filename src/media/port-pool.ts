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
 * with a bound UDP socket. Ports that another process holds are skipped; allocation walks the range from
 * where the last one stopped so a port just released is not reused at once (late packets of the old call
 * would land in the new one).
 */
export class RtpPortPool {
  readonly host: string;
  readonly portMin: number;
  readonly portMax: number;
  readonly #held = new Set<number>();
  readonly #first: number;
  readonly #count: number;
  #cursor = 0;

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
  }

  /** Ports currently leased. */
  get inUse(): number {
    return this.#held.size;
  }

  /** How many even ports the range holds. */
  get capacity(): number {
    return this.#count;
  }

  /** Bind the next free even port; throws RtpPortsExhaustedError when none is left. */
  async allocate(): Promise<RtpPortLease> {
    for (let tried = 0; tried < this.#count; tried++) {
      const port = this.#first + 2 * this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#count;
      if (this.#held.has(port)) continue;
      // Reserve before the asynchronous bind so concurrent allocations never race for one port.
      this.#held.add(port);
      const socket = await bind(this.host, port);
      if (!socket) {
        this.#held.delete(port);
        continue;
      }
      return this.#lease(port, socket);
    }
    throw new RtpPortsExhaustedError(
      `no free RTP port in media.rtp ${this.host}:${this.portMin}–${this.portMax} (${this.#held.size} held by outdial, the rest by other processes)`,
    );
  }

  #lease(port: number, socket: Socket): RtpPortLease {
    let released = false;
    const held = this.#held;
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
      },
    };
  }
}
