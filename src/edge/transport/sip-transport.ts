import { EventEmitter } from 'node:events';
import type { Peer } from './peer.js';
import type { TcpLimits } from './tcp-limits.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport, type TlsOptions } from './tls-transport.js';
import type { TransportEvents } from './transport-events.js';
import { UdpTransport } from './udp-transport.js';

/** SIP over TLS: where to listen (when we do), and how peers are checked. */
export interface TlsSetup extends TlsOptions {
  /** The TLS listening port (0 picks one); none when only connecting out. */
  port?: number;
}

/**
 * The transport layer the cores see: UDP and TCP on the same port, TLS on its own, picked per message by
 * the peer. TLS connections out are always possible; a TLS listener needs a certificate.
 */
export class SipTransport extends EventEmitter<TransportEvents> {
  private readonly udp = new UdpTransport();
  private tcp: TcpTransport | undefined;
  private tls: TlsTransport | undefined;
  /** The bound TLS listening port, when there is one. */
  tlsPort: number | undefined;

  /** Binds UDP (port 0 picks one), then TCP on the same port when asked, then TLS; returns the bound UDP address. */
  async listen(host: string, port: number, withTcp: boolean, tcpLimits: Partial<TcpLimits> = {}, tls: TlsSetup = {}): Promise<Peer> {
    const local = await this.udp.listen(host, port);
    this.forward(this.udp);
    if (withTcp) {
      const tcp = new TcpTransport(tcpLimits);
      await tcp.listen(host, local.port);
      this.forward(tcp);
      this.tcp = tcp;
    }
    const secure = new TlsTransport(tls, tcpLimits);
    if (tls.credentials && tls.port !== undefined) this.tlsPort = await secure.listen(host, tls.port);
    this.forward(secure);
    this.tls = secure;
    return local;
  }

  get tcpEnabled(): boolean {
    return this.tcp !== undefined;
  }

  /** Inbound TCP and TLS connections open now, and those refused on arrival since start. */
  get tcpConnections(): { open: number; refused: number } {
    return {
      open: (this.tcp?.inboundCount ?? 0) + (this.tls?.inboundCount ?? 0),
      refused: (this.tcp?.refused ?? 0) + (this.tls?.refused ?? 0),
    };
  }

  send(text: string, to: Peer): void {
    if (to.transport === 'tls' && this.tls) this.tls.send(text, to);
    else if (to.transport === 'tcp' && this.tcp) this.tcp.send(text, to);
    else this.udp.send(text, to);
  }

  async close(): Promise<void> {
    await this.tls?.close();
    await this.tcp?.close();
    await this.udp.close();
  }

  private forward(t: UdpTransport | TcpTransport): void {
    t.on('message', (msg, from, raw) => this.emit('message', msg, from, raw));
    t.on('malformed', (err, from, raw) => this.emit('malformed', err, from, raw));
    t.on('unreachable', (to, reason) => this.emit('unreachable', to, reason));
  }
}
