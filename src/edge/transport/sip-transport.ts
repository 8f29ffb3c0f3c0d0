import { EventEmitter } from 'node:events';
import type { Peer } from './peer.js';
import type { TcpLimits } from './tcp-limits.js';
import { TcpTransport } from './tcp-transport.js';
import type { TransportEvents } from './transport-events.js';
import { UdpTransport } from './udp-transport.js';

/** The transport layer the cores see: UDP and TCP on the same port, picked per message by the peer. */
export class SipTransport extends EventEmitter<TransportEvents> {
  private readonly udp = new UdpTransport();
  private tcp: TcpTransport | undefined;

  /** Binds UDP (port 0 picks one), then TCP on the same port when asked; returns the bound address. */
  async listen(host: string, port: number, withTcp: boolean, tcpLimits: Partial<TcpLimits> = {}): Promise<Peer> {
    const local = await this.udp.listen(host, port);
    this.forward(this.udp);
    if (withTcp) {
      const tcp = new TcpTransport(tcpLimits);
      await tcp.listen(host, local.port);
      this.forward(tcp);
      this.tcp = tcp;
    }
    return local;
  }

  get tcpEnabled(): boolean {
    return this.tcp !== undefined;
  }

  /** Inbound TCP connections open now, and those refused on arrival since start. */
  get tcpConnections(): { open: number; refused: number } {
    return { open: this.tcp?.inboundCount ?? 0, refused: this.tcp?.refused ?? 0 };
  }

  send(text: string, to: Peer): void {
    if (to.transport === 'tcp' && this.tcp) this.tcp.send(text, to);
    else this.udp.send(text, to);
  }

  async close(): Promise<void> {
    await this.tcp?.close();
    await this.udp.close();
  }

  private forward(t: UdpTransport | TcpTransport): void {
    t.on('message', (msg, from, raw) => this.emit('message', msg, from, raw));
    t.on('malformed', (err, from, raw) => this.emit('malformed', err, from, raw));
    t.on('unreachable', (to, reason) => this.emit('unreachable', to, reason));
  }
}
