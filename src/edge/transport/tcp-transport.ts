import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parseMessage, SipParseError, type SipMessage } from '../message/index.js';
import { peerKey, type Peer } from './peer.js';
import { StreamFramer } from './stream-framer.js';
import type { TransportEvents } from './transport-events.js';

/** A connection nobody used for this long is closed; a later message opens a new one. */
const IDLE_MS = 300_000;

/**
 * SIP over TCP (RFC 3261 §18): one listener, and connections kept by remote address:port and reused both
 * ways, so responses return on the connection their request came in on and later requests to the same
 * peer share it.
 */
export class TcpTransport extends EventEmitter<TransportEvents> {
  private server: Server | undefined;
  private readonly connections = new Map<string, Socket>();

  async listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => this.adopt(socket, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
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
      this.adopt(opening, peer);
      socket = opening;
    }
    socket.write(text);
  }

  async close(): Promise<void> {
    for (const s of this.connections.values()) s.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private adopt(socket: Socket, peer: Peer): void {
    const key = peerKey(peer);
    this.connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    const framer = new StreamFramer();
    socket.on('data', (data) => {
      let frames: string[];
      try {
        frames = framer.push(data);
      } catch (err) {
        // A stream we cannot frame has lost message boundaries for good: drop the connection.
        this.emit('malformed', err as SipParseError, peer, '');
        socket.destroy();
        return;
      }
      for (const raw of frames) this.deliver(raw, peer);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
  }

  private deliver(raw: string, from: Peer): void {
    let msg: SipMessage;
    try {
      msg = parseMessage(raw, false);
    } catch (err) {
      if (err instanceof SipParseError) this.emit('malformed', err, from, raw);
      return;
    }
    this.emit('message', msg, from, raw);
  }
}
