import { createServer, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { WireClient } from './wire-client.js';
import { apiResponse, parseAppFrame, type AppFrame } from './wire-format.js';

export interface WireServerEvents {
  /** An authenticated client sent a `sip` frame. */
  sip: [client: WireClient, frame: AppFrame];
  connected: [client: WireClient];
  disconnected: [client: WireClient];
  invalid: [reason: string];
}

/**
 * The drachtio wire protocol, server side: drachtio-srf connects, authenticates with the shared secret,
 * registers the methods it handles (`route`), pings, and exchanges `sip` frames.
 */
export class WireServer extends EventEmitter<WireServerEvents> {
  readonly clients = new Set<WireClient>();
  private server: Server | undefined;

  constructor(
    private readonly secret: string,
    private readonly serverInfo: { hostports: string; version: string },
  ) {
    super();
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** The first authenticated client that routes this method. */
  clientFor(method: string): WireClient | undefined {
    const verb = method.toLowerCase();
    for (const c of this.clients) if (c.authenticated && c.routes.has(verb)) return c;
    return undefined;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    socket.setNoDelay(true);
    const client = new WireClient(socket);
    this.clients.add(client);
    socket.on('data', (data) => {
      let frames: string[];
      try {
        frames = client.receive(data);
      } catch (err) {
        this.emit('invalid', (err as Error).message);
        socket.destroy();
        return;
      }
      for (const f of frames) this.onFrame(client, f);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.clients.delete(client);
      if (client.authenticated) this.emit('disconnected', client);
    });
  }

  private onFrame(client: WireClient, text: string): void {
    const frame = parseAppFrame(text);
    const { msgId, type, tokens } = frame;
    if (type === 'authenticate') {
      if (tokens[2] !== this.secret) {
        client.send(apiResponse(msgId, false, 'incorrect secret'));
        client.socket.end();
        return;
      }
      client.authenticated = true;
      client.send(apiResponse(msgId, true, `${this.serverInfo.hostports}|${this.serverInfo.version}|`));
      this.emit('connected', client);
      return;
    }
    if (!client.authenticated) {
      client.send(apiResponse(msgId, false, 'not authenticated'));
      return;
    }
    switch (type) {
      case 'ping':
        client.send(apiResponse(msgId, true, 'pong'));
        break;
      case 'route':
        client.routes.add((tokens[2] ?? '').toLowerCase());
        client.send(apiResponse(msgId, true));
        break;
      case 'remove_route':
        client.routes.delete((tokens[2] ?? '').toLowerCase());
        client.send(apiResponse(msgId, true));
        break;
      case 'sip':
        this.emit('sip', client, frame);
        break;
      default:
        client.send(apiResponse(msgId, false, `Unknown message type: ${type}`));
    }
  }
}
