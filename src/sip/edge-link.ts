// The drachtio wire connection between drachtio-srf and the SIP edge, held to what both edges promise:
// no message larger than a drachtio-server reads, an answer to every request within a deadline, and no
// request left waiting forever when the connection goes. drachtio-srf does none of this itself (a request
// the edge never answers waits forever; a closed connection leaves its requests unanswered), so the link
// reaches into drachtio-srf's agent (lib/drachtio-agent.js, lib/wire-protocol.js) at the few places below.
// docs/edge-connection.md describes the behaviour.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type Srf from 'drachtio-srf';
import type { Logger } from '../log/index.js';

/** What drachtio-srf keeps per edge connection; only the parts the link reads. */
interface ConnectionState {
  authenticated: boolean;
  /** wire message id → the callback waiting for the edge's `response|<id>|…`. */
  pendingRequests: Map<string, (token: string[]) => void>;
}

interface WireProtocol extends EventEmitter {
  send(socket: Socket, msg: string): string;
  closing?: boolean;
}

interface Agent extends EventEmitter {
  wp: WireProtocol;
  mapServer: Map<Socket, ConnectionState>;
  request(options: Record<string, unknown>, callback: (err: Error | null, req?: Srf.SrfRequest) => void): void;
}

type MessageKind = 'authenticate' | 'ping' | 'request';

interface SentMessage {
  socket: Socket;
  at: number;
  kind: MessageKind;
}

export interface EdgeLinkOptions {
  maxMessageBytes: number;
  maxHeaderBytes: number;
  answerDeadlineMs: number;
  logger: Logger;
  /** How long after a lost connection a new one still BYEs the dialogs the old one had. */
  orphanByeWindowMs?: number;
}

export interface EdgeLinkEvents {
  /** An authenticated connection to the edge is gone; every request waiting on it has failed. */
  lost: [reason: string];
}

/** `<uuid>|`: what drachtio-srf puts before each message; the edge's limit counts it. */
const MESSAGE_ID_BYTES = 37;

export class EdgeLink extends EventEmitter<EdgeLinkEvents> {
  private readonly agent: Agent;
  private readonly sent = new Map<string, SentMessage>();
  /** Pings awaiting their pong: drachtio-srf sends them but tracks none (its 'ping' event has no listener). */
  private readonly pings = new Set<string>();
  private readonly scan: NodeJS.Timeout;
  /** Dialogs the lost connection had, to BYE through the next one (the edge may still hold them). */
  private orphans: { ids: string[]; at: number } | undefined;
  private closed = false;

  constructor(
    private readonly srf: Srf,
    private readonly options: EdgeLinkOptions,
  ) {
    super();
    const agent = (srf as unknown as { app: { client?: Agent } }).app.client;
    if (!agent?.wp) throw new Error('EdgeLink: drachtio-srf is not connecting (call srf.connect first)');
    this.agent = agent;
    this.wrapSend(agent.wp);
    // Before drachtio-srf forgets the connection's state (its own 'close' listener deletes it).
    agent.wp.prependListener('close', (socket: Socket) => this.onClose(socket));
    agent.wp.on('msg', (_socket: Socket, msg: string) => {
      // `<id>|response|<request id>|…`
      const head = msg.slice(0, 90).split('|');
      if (head[1] === 'response' && head[2]) this.pings.delete(head[2]);
    });
    agent.on('connect', (err: Error | null) => {
      if (!err) this.byeOrphans();
    });
    this.scan = setInterval(() => this.checkDeadlines(), Math.min(1000, options.answerDeadlineMs / 2));
    this.scan.unref();
  }

  /** Stops watching and reconnecting; the caller disconnects drachtio-srf. */
  close(): void {
    this.closed = true;
    clearInterval(this.scan);
    this.agent.wp.closing = true;
  }

  /** Ends drachtio-srf's reconnect loop and drops the connections (an edge that refused our secret). */
  giveUp(): void {
    this.close();
    for (const socket of this.agent.mapServer.keys()) socket.destroy();
  }

  private wrapSend(wp: WireProtocol): void {
    const send = wp.send.bind(wp);
    wp.send = (socket: Socket, msg: string): string => {
      const refusal = this.refusal(msg);
      if (refusal) {
        // Never written: a drachtio-server would wait for the rest of it and answer nothing else again, or
        // put a request on the wire with its last headers cut off.
        const msgId = randomUUID();
        this.options.logger.error({ reason: refusal, start: msg.slice(0, 160) }, 'request refused: too large for the SIP edge');
        setImmediate(() => this.fail(socket, msgId, refusal));
        return msgId;
      }
      const msgId = send(socket, msg);
      const kind: MessageKind = msg.startsWith('authenticate|') ? 'authenticate' : msg === 'ping' ? 'ping' : 'request';
      this.sent.set(msgId, { socket, at: Date.now(), kind });
      if (kind === 'ping') this.pings.add(msgId);
      return msgId;
    };
  }

  /** Why the edge cannot carry this wire message, or undefined when it can. */
  private refusal(msg: string): string | undefined {
    const { maxMessageBytes, maxHeaderBytes } = this.options;
    const bytes = MESSAGE_ID_BYTES + Buffer.byteLength(msg, 'utf8');
    if (bytes > maxMessageBytes) return `SIP message of ${bytes} bytes is larger than the ${maxMessageBytes} bytes the SIP edge accepts`;
    if (!msg.startsWith('sip|')) return undefined;
    // `sip|<txn>|<dialog>[|proxy]\r\n<start line and headers>\r\n\r\n<body>`
    const start = msg.indexOf('\r\n') + 2;
    const end = msg.indexOf('\r\n\r\n', start);
    const headerBytes = Buffer.byteLength(end < 0 ? msg.slice(start) : msg.slice(start, end + 2), 'utf8');
    if (headerBytes > maxHeaderBytes) return `SIP headers of ${headerBytes} bytes are more than the ${maxHeaderBytes} bytes the SIP edge sends whole`;
    return undefined;
  }

  /** Answers a request the edge will never answer, as drachtio-srf's callback expects a refusal. */
  private fail(socket: Socket, msgId: string, reason: string): void {
    const state = this.agent.mapServer.get(socket);
    const callback = state?.pendingRequests.get(msgId);
    if (!state || !callback) return;
    state.pendingRequests.delete(msgId);
    try {
      callback(['NO', reason]);
    } catch (err) {
      this.options.logger.warn({ err }, 'a failed edge request threw in its callback');
    }
  }

  private waiting(msgId: string, sent: SentMessage): boolean {
    const state = this.agent.mapServer.get(sent.socket);
    if (!state) return false;
    return sent.kind === 'ping' ? this.pings.has(msgId) : state.pendingRequests.has(msgId);
  }

  private checkDeadlines(): void {
    const now = Date.now();
    let overdue = false;
    for (const [msgId, sent] of this.sent) {
      if (!this.waiting(msgId, sent)) {
        this.sent.delete(msgId);
        this.pings.delete(msgId);
      } else if (now - sent.at > this.options.answerDeadlineMs) overdue = true;
    }
    // After the poll phase: answers already in our socket buffer (an event loop that was busy) count.
    if (overdue) setImmediate(() => this.closeUnresponsive());
  }

  private closeUnresponsive(): void {
    if (this.closed) return;
    const now = Date.now();
    const sockets = new Set<Socket>();
    for (const [msgId, sent] of this.sent) {
      if (this.waiting(msgId, sent) && now - sent.at > this.options.answerDeadlineMs) sockets.add(sent.socket);
    }
    for (const socket of sockets) {
      this.options.logger.error(
        { deadlineMs: this.options.answerDeadlineMs, edge: `${socket.remoteAddress}:${socket.remotePort}` },
        'SIP edge did not answer a request in time; closing the connection and connecting again',
      );
      this.failAll(socket, `SIP edge did not answer within ${this.options.answerDeadlineMs} ms`);
      // drachtio-srf reconnects after a close it did not ask for.
      socket.destroy();
    }
  }

  /** Every request waiting on this connection fails now; a pending authentication is left to the reconnect. */
  private failAll(socket: Socket, reason: string): void {
    for (const [msgId, sent] of this.sent) {
      if (sent.socket !== socket) continue;
      this.sent.delete(msgId);
      this.pings.delete(msgId);
      if (sent.kind === 'request') this.fail(socket, msgId, reason);
    }
  }

  private onClose(socket: Socket): void {
    const state = this.agent.mapServer.get(socket);
    this.failAll(socket, 'SIP edge connection lost');
    if (!state?.authenticated || this.closed) return;
    const dialogs = (this.srf as unknown as { _dialogs?: Map<string, unknown> })._dialogs;
    const ids = dialogs ? [...dialogs.keys()] : [];
    this.orphans = ids.length > 0 ? { ids, at: Date.now() } : undefined;
    this.emit('lost', 'SIP edge connection lost');
  }

  /** A dialog outlives our connection on a drachtio-server that kept running: BYE it through the new one. */
  private byeOrphans(): void {
    const orphans = this.orphans;
    this.orphans = undefined;
    if (!orphans || Date.now() - orphans.at > (this.options.orphanByeWindowMs ?? 60_000)) return;
    this.options.logger.warn({ dialogs: orphans.ids.length }, 'SIP edge connection back: sending BYE on the dialogs the lost connection had');
    for (const stackDialogId of orphans.ids) {
      try {
        this.agent.request({ method: 'BYE', stackDialogId }, (err) => {
          // "unable to find dialog": the edge restarted and took the dialog with it; nothing left to end.
          if (err) this.options.logger.info({ stackDialogId, err }, 'no BYE for a dialog of the lost connection');
        });
      } catch (err) {
        this.options.logger.info({ stackDialogId, err }, 'no BYE for a dialog of the lost connection');
      }
    }
  }
}
