import { createSocket, type Socket } from 'node:dgram';

/**
 * A bare UDP SIP peer for sending hand-made or hostile datagrams to the edge. It listens on a random
 * loopback address (127.x.y.z) at the ports torture messages name in their Via (5060 unless told), so the
 * edge's answers, which go where the Via says (RFC 3261 §18.2.2), come back to it.
 */
export class RawSipPeer {
  readonly received: string[] = [];
  private waiters: Array<() => void> = [];
  private sockets: Socket[] = [];

  private constructor(readonly address: string) {}

  static async open(ports: number[] = [5060]): Promise<RawSipPeer> {
    for (let attempt = 0; ; attempt++) {
      const address = `127.${50 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
      const peer = new RawSipPeer(address);
      try {
        for (const port of ports) await peer.bind(port);
        return peer;
      } catch (err) {
        await peer.close();
        if (attempt >= 5) throw err;
      }
    }
  }

  /** The first socket's port: where a Via written by the test points. */
  get port(): number {
    return this.sockets[0]!.address().port;
  }

  send(data: string | Buffer, target: string): void {
    const [host, port] = target.split(':');
    this.sockets[0]!.send(data, Number(port), host);
  }

  /** Waits until `match` holds for a message received at or after index `from`; returns it. */
  async waitFor(match: (m: string) => boolean, from = 0, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching SIP message arrived in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Sends `data`, then an OPTIONS probe; resolves with what arrived for `data` before the probe's answer.
   * The edge handles datagrams one at a time and loopback keeps order, so a stateless answer to `data`
   * comes before the probe's 200: an empty result means the edge dropped it.
   */
  async statelessAnswersTo(data: string | Buffer, target: string, callId: string): Promise<string[]> {
    const before = this.received.length;
    if (data.length) this.send(data, target);
    const probeId = `probe-${Math.random().toString(36).slice(2)}`;
    this.send(this.options(target, probeId), target);
    await this.waitFor((m) => callIdOf(m) === probeId, before);
    return this.received.slice(before).filter((m) => callIdOf(m) === callId);
  }

  /** Waits until the edge has handled everything sent so far (an OPTIONS probe's answer came back). */
  async sync(target: string): Promise<void> {
    await this.statelessAnswersTo(Buffer.alloc(0), target, '');
  }

  options(target: string, callId: string): string {
    return [
      `OPTIONS sip:probe@${target} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.address}:${this.port};branch=z9hG4bK-${callId}`,
      `From: <sip:probe@${this.address}>;tag=p1`,
      `To: <sip:probe@${target}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets = [];
  }

  private async bind(port: number): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (data) => {
      this.received.push(data.toString('latin1'));
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.sockets.push(socket);
  }
}

/** The Call-ID of a message as text ('' when it has none), long or compact form. */
export function callIdOf(message: string): string {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)\r?$/im.exec(message)?.[1] ?? '';
}

/** Status code and reason phrase of a response. */
export function statusOf(message: string | undefined): { status: number; reason: string } | undefined {
  const m = /^SIP\/2\.0 (\d{3}) (.*)\r\n/.exec(message ?? '');
  return m ? { status: Number(m[1]), reason: m[2]! } : undefined;
}

/** Every value of a header in a message as text, long or compact form, one per line. */
export function headerValues(message: string, ...names: string[]): string[] {
  const re = new RegExp(`^(?:${names.join('|')})[ \\t]*:[ \\t]*(.*?)\\r?$`, 'gim');
  return [...message.split('\r\n\r\n')[0]!.matchAll(re)].map((m) => m[1]!);
}
