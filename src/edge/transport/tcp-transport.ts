import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { peerKey, type Peer } from './peer.js';
import { StreamFramer } from './stream-framer.js';
import { defaultTcpLimits, type TcpLimits } from './tcp-limits.js';
import { emitParsed, type TransportEvents } from './transport-events.js';
import { bound } from './bind.js';

/**
 * SIP over TCP (RFC 3261 §18): one listener, and connections kept by remote address:port and reused both
 * ways, so responses return on the connection their request came in on and later requests to the same
 * peer share it. Inbound connections are bounded as `TcpLimits` says.
 */
export class TcpTransport extends EventEmitter<TransportEvents> {
  private server: Server | undefined;
  private readonly connections = new Map<string, Socket>();
  private readonly inbound = new Set<Socket>();
  private readonly perSource = new Map<string, number>();
  readonly limits: TcpLimits;
  /** Inbound connections closed on arrival because a limit was reached. */
  refused = 0;

  constructor(limits: Partial<TcpLimits> = {}) {
    super();
    this.limits = { ...defaultTcpLimits(), ...limits };
  }

  /** Inbound connections open now. */
  get inboundCount(): number {
    return this.inbound.size;
  }

  async listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await bound(server, (ready) => server.listen(port, host, ready));
    server.on('error', () => undefined);
    this.server = server;
  }

  send(text: string, to: Peer): void {
    const key = peerKey(to);
    let socket = this.connections.get(key);
    if (!socket || socket.destroyed) {
      const peer: Peer = { address: to.address, port: to.port, transport: 'tcp' };
      const opening = connect({ host: to.address, port: to.port });
      const onFail = (err: Error) => this.emit('unreachable', peer, err.message);
      opening.once('error', onFail);
      opening.once('connect', () => opening.off('error', onFail));
      this.adopt(opening, peer, false);
      socket = opening;
    }
    socket.write(text);
  }

  async close(): Promise<void> {
    for (const s of this.connections.values()) s.destroy();
    for (const s of this.inbound) s.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const source = socket.remoteAddress ?? '';
    const fromSource = this.perSource.get(source) ?? 0;
    if (this.inbound.size >= this.limits.maxConnections || fromSource >= this.limits.maxConnectionsPerSource) {
      // Closed at once, so a flood costs a descriptor only for a moment and the HTTP API keeps its own.
      this.refused++;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    this.perSource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.inbound.delete(socket);
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    });
    this.adopt(socket, { address: source, port: socket.remotePort ?? 0, transport: 'tcp' }, true);
  }

  private adopt(socket: Socket, peer: Peer, awaitFirstMessage: boolean): void {
    const key = peerKey(peer);
    this.connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleMs, () => socket.destroy());
    const framer = new StreamFramer(this.limits.maxMessageBytes);
    // A connection that opens and says nothing, or trickles a message byte by byte, is closed at the deadline.
    let deadline: NodeJS.Timeout | undefined;
    const armDeadline = () => {
      deadline ??= setTimeout(() => socket.destroy(), this.limits.messageDeadlineMs);
    };
    if (awaitFirstMessage) armDeadline();
    socket.on('data', (data) => {
      const { messages, error } = framer.read(data);
      if (messages.length || error) {
        clearTimeout(deadline);
        deadline = undefined;
      }
      for (const raw of messages) emitParsed(this, raw, peer, false);
      if (error) {
        // A stream we cannot frame has lost message boundaries for good: drop the connection.
        this.emit('malformed', error, peer, '');
        socket.destroy();
        return;
      }
      if (framer.pending) armDeadline();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
  }
}
