import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { peerKey, type Peer, type TransportName } from './peer.js';
import { StreamFramer } from './stream-framer.js';
import { defaultTcpLimits, type TcpLimits } from './tcp-limits.js';
import { emitParsed, type TransportEvents } from './transport-events.js';
import { bound } from './bind.js';

/** A connection being opened: the socket, and the event that says it may carry messages. */
export interface Opening {
  socket: Socket;
  readyEvent: 'connect' | 'secureConnect';
  /** Runs when ready, before anything is written: a reason to drop the connection, or undefined. */
  check?: () => string | undefined;
}

/**
 * SIP over TCP (RFC 3261 §18): one listener, and connections kept by remote address:port and reused both
 * ways, so responses return on the connection their request came in on and later requests to the same
 * peer share it. Inbound connections are bounded as `TcpLimits` says. SIP over TLS (tls-transport.ts) is
 * the same with a TLS socket in place of the TCP one.
 */
export class TcpTransport extends EventEmitter<TransportEvents> {
  protected readonly name: TransportName = 'tcp';
  private server: Server | undefined;
  private readonly connections = new Map<string, Socket>();
  /** Messages for connections not open yet; written once the connection is (and, over TLS, checked). */
  private readonly waiting = new Map<Socket, string[]>();
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

  async listen(host: string, port: number): Promise<number> {
    const server = this.createListener();
    await bound(server, (ready) => server.listen(port, host, ready));
    server.on('error', () => undefined);
    this.server = server;
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  send(text: string, to: Peer): void {
    const key = peerKey(to);
    let socket = this.connections.get(key);
    if (!socket || socket.destroyed) socket = this.open(to);
    const queue = this.waiting.get(socket);
    if (queue) queue.push(text);
    else socket.write(text);
  }

  async close(): Promise<void> {
    for (const s of this.connections.values()) s.destroy();
    for (const s of this.inbound) s.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The listener: every accepted connection goes through `admit`, then `adoptInbound`. */
  protected createListener(): Server {
    return createServer((socket) => {
      if (this.admit(socket)) this.adoptInbound(socket);
    });
  }

  /** Starts a connection to `to`. */
  protected openConnection(to: Peer): Opening {
    return { socket: connect({ host: to.address, port: to.port }), readyEvent: 'connect' };
  }

  private open(to: Peer): Socket {
    const peer: Peer = { address: to.address, port: to.port, transport: this.name };
    const { socket, readyEvent, check } = this.openConnection(to);
    this.waiting.set(socket, []);
    let failed = false;
    const onFail = (err: Error) => {
      if (failed) return;
      failed = true;
      this.waiting.delete(socket);
      this.emit('unreachable', peer, err.message);
    };
    socket.once('error', onFail);
    socket.once(readyEvent, () => {
      const problem = check?.();
      if (problem !== undefined) {
        onFail(new Error(problem));
        socket.destroy();
        return;
      }
      socket.off('error', onFail);
      const queue = this.waiting.get(socket) ?? [];
      this.waiting.delete(socket);
      for (const text of queue) socket.write(text);
    });
    this.adopt(socket, peer, false);
    return socket;
  }

  /** Applies the connection limits to a new inbound connection; false when it was closed for them. */
  protected admit(socket: Socket): boolean {
    const source = socket.remoteAddress ?? '';
    const fromSource = this.perSource.get(source) ?? 0;
    if (this.inbound.size >= this.limits.maxConnections || fromSource >= this.limits.maxConnectionsPerSource) {
      // Closed at once, so a flood costs a descriptor only for a moment and the HTTP API keeps its own.
      this.refused++;
      socket.on('error', () => undefined);
      socket.destroy();
      return false;
    }
    this.inbound.add(socket);
    this.perSource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.inbound.delete(socket);
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    });
    return true;
  }

  /** Reads SIP from an admitted inbound connection; it must deliver its first message within the deadline. */
  protected adoptInbound(socket: Socket): void {
    this.adopt(socket, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: this.name }, true);
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
    socket.on('data', (data: Buffer) => {
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
      this.waiting.delete(socket);
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
  }
}
