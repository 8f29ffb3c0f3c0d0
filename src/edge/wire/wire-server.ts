import { createServer, type Server, type Socket } from 'node:net';
import { bound } from '../transport/index.js';
import { EventEmitter } from 'node:events';
import type { AppConnection, AppDirectory } from '../core/app-port.js';
import { WireClient } from './wire-client.js';
import { apiResponse } from './wire-format.js';
import { parseAppFrame, type SipFrame } from './wire-frames.js';

export interface WireServerEvents {
  /** An authenticated client sent a `sip` frame. */
  sip: [client: WireClient, frame: SipFrame];
  connected: [client: WireClient];
  disconnected: [client: WireClient];
  invalid: [reason: string];
}

/**
 * The drachtio wire protocol, server side: drachtio-srf connects, authenticates with the shared secret,
 * registers the methods it handles (`route`), pings, and exchanges `sip` frames.
 */
export class WireServer extends EventEmitter<WireServerEvents> implements AppDirectory {
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
    await bound(server, (ready) => server.listen(port, host, ready));
    this.server = server;
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** The first authenticated client that routes this method. */
  routing(method: string): AppConnection | undefined {
    const verb = method.toLowerCase();
    for (const c of this.clients) if (c.authenticated && c.routes.has(verb)) return c;
    return undefined;
  }

  connected(): boolean {
    return [...this.clients].some((c) => c.authenticated);
  }

  routedMethods(): string[] {
    return [...this.clients].filter((c) => c.authenticated).flatMap((c) => [...c.routes]);
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
    const { msgId } = frame;
    if (frame.type === 'authenticate') {
      if (frame.secret !== this.secret) {
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
    switch (frame.type) {
      case 'ping':
        client.send(apiResponse(msgId, true, 'pong'));
        break;
      case 'route':
        client.routes.add(frame.method);
        client.send(apiResponse(msgId, true));
        break;
      case 'remove_route':
        client.routes.delete(frame.method);
        client.send(apiResponse(msgId, true));
        break;
      case 'sip':
        this.emit('sip', client, frame);
        break;
      case 'other':
        client.send(apiResponse(msgId, false, `Unknown message type: ${frame.name}`));
    }
  }
}
