import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { appText, SipRequest, SipResponse, parseMessage, SipParseError, type SipMessage } from '../message/index.js';
import { defaultTimers, type TimerValues } from '../transaction/index.js';
import { SipTransport, type Peer, type TcpLimits, type TlsSetup } from '../transport/index.js';
import { WireServer, wireReply, type SipFrame, type WireClient } from '../wire/index.js';
import { EdgeContext } from './edge-context.js';
import { UacCore } from './uac-core.js';
import { UasCore } from './uas-core.js';

export interface EmbeddedEdgeOptions {
  /**
   * Where SIP is sent and received: UDP, and TCP on the same port unless `tcp` is false; TLS on `tls.port`
   * when given with credentials (connections out over TLS work without). Port 0 picks a free one.
   */
  sip: { host: string; port: number; publicAddress?: string; tcp?: boolean; tcpLimits?: Partial<TcpLimits>; tls?: TlsSetup };
  /** The drachtio wire protocol listener; defaults to a free loopback port and a random secret. */
  wire?: { host?: string; port?: number; secret?: string };
  /** RFC 3261 timer bases; tests shorten T1 to make Timer B fire sooner. */
  timers?: Partial<TimerValues>;
  logger?: Logger;
}

/** Where drachtio-srf connects: `srf.connect({ host, port, secret })`. */
export interface WireEndpoint {
  host: string;
  port: number;
  secret: string;
}

/** Version reported to drachtio-srf; its form (vX.Y.Z) enables pinging in drachtio-srf. */
const EDGE_VERSION = 'v0.9.4-outdial-edge';

/**
 * An in-process SIP edge: speaks the drachtio wire protocol to drachtio-srf on loopback TCP and
 * RFC 3261 SIP over UDP to the network, so drachtio-srf cannot tell it from a drachtio-server.
 */
export class EmbeddedEdge {
  private readonly transport = new SipTransport();
  private wire: WireServer | undefined;
  private ctx: EdgeContext | undefined;
  private uac: UacCore | undefined;
  private uas: UasCore | undefined;
  private sip: Peer | undefined;
  private wireEndpoint: WireEndpoint | undefined;
  readonly timers: TimerValues;
  /** Datagrams that could not be read as SIP since start. */
  malformedCount = 0;

  constructor(private readonly options: EmbeddedEdgeOptions) {
    this.timers = { ...defaultTimers, ...options.timers };
  }

  async start(): Promise<{ sip: Peer; wire: WireEndpoint }> {
    const o = this.options;
    const local = await this.transport.listen(o.sip.host, o.sip.port, o.sip.tcp !== false, o.sip.tcpLimits, o.sip.tls);
    const advertisedHost =
      o.sip.publicAddress ?? (local.address === '0.0.0.0' || local.address === '::' ? '127.0.0.1' : local.address);
    this.sip = { address: advertisedHost, port: local.port };
    const secret = o.wire?.secret ?? randomBytes(16).toString('hex');
    const hostport = `${advertisedHost}:${local.port}`;
    const tlsPort = this.transport.tlsPort;
    const hostports = [`udp/${hostport}`, ...(this.transport.tcpEnabled ? [`tcp/${hostport}`] : []), ...(tlsPort !== undefined ? [`tls/${advertisedHost}:${tlsPort}`] : [])].join(',');
    const wire = new WireServer(secret, { hostports, version: EDGE_VERSION });
    const wireHost = o.wire?.host ?? '127.0.0.1';
    const wirePort = await wire.listen(wireHost, o.wire?.port ?? 0);
    this.wire = wire;
    this.wireEndpoint = { host: wireHost, port: wirePort, secret };
    const ctx = new EdgeContext(this.transport, this.timers, this.sip, o.logger);
    ctx.tlsPort = tlsPort;
    this.ctx = ctx;
    this.uac = new UacCore(ctx);
    this.uas = new UasCore(ctx, wire, this.uac.sessions);
    wire.on('sip', (client, frame) => this.onAppFrame(client, frame));
    wire.on('invalid', (reason) => o.logger?.warn({ reason }, 'drachtio client sent an invalid frame; closing it'));
    this.transport.on('message', (msg, from, raw) => this.onNetworkMessage(msg, from, raw));
    this.transport.on('malformed', (err, from, raw) => this.onMalformed(err, from, raw));
    this.transport.on('unreachable', (to, reason) => {
      o.logger?.warn({ to, reason }, 'SIP peer unreachable');
      this.uac?.transportFailed(to, reason);
    });
    o.logger?.info({ sip: this.sip, wire: { host: wireHost, port: wirePort } }, 'embedded SIP edge listening');
    return { sip: this.sip, wire: this.wireEndpoint };
  }

  /** The TLS listening port, when the edge listens for TLS. */
  get tlsPort(): number | undefined {
    return this.transport.tlsPort;
  }

  /** The SIP address the network reaches us at. */
  get sipAddress(): Peer {
    if (!this.sip) throw new Error('edge not started');
    return this.sip;
  }

  get wireAddress(): WireEndpoint {
    if (!this.wireEndpoint) throw new Error('edge not started');
    return this.wireEndpoint;
  }

  /** Client and server transactions in progress; a busy edge is one with calls being set up. */
  get pendingTransactions(): number {
    return (this.uac?.pendingCount ?? 0) + (this.uas?.pendingCount ?? 0);
  }

  /** Inbound SIP/TCP connections open now, and those closed on arrival because a limit was reached. */
  get tcpConnections(): { open: number; refused: number } {
    return this.transport.tcpConnections;
  }

  get dialogCount(): number {
    return this.ctx?.dialogCount ?? 0;
  }

  async close(): Promise<void> {
    this.uac?.close();
    this.uas?.close();
    this.ctx?.clearDialogs();
    await this.wire?.close();
    await this.transport.close();
  }

  private onAppFrame(client: WireClient, frame: SipFrame): void {
    const reply = wireReply(client, frame.msgId);
    let msg: SipMessage;
    try {
      msg = parseMessage(frame.message, false);
    } catch (err) {
      return reply.refused(`cannot parse SIP message: ${(err as Error).message}`);
    }
    if (msg instanceof SipResponse) {
      this.uas!.respondFromApp(client, { response: msg, transactionId: frame.transactionId ?? '' }, reply);
      return;
    }
    const ask = { request: msg as SipRequest, transactionId: frame.transactionId, dialogId: frame.dialogId, proxy: frame.proxy };
    this.uac!.sendFromApp(client, ask, reply).catch((err: unknown) => {
      this.options.logger?.error({ err }, 'failed to send request from app');
      reply.refused((err as Error).message);
    });
  }

  private onNetworkMessage(msg: SipMessage, from: Peer, wireText: string): void {
    const raw = appText(msg, wireText);
    try {
      if (msg instanceof SipResponse) {
        if (!this.uac!.receiveResponse(msg, from, raw)) this.uac!.receiveStrayResponse(msg);
      } else {
        this.uas!.receiveRequest(msg as SipRequest, from, raw);
      }
    } catch (err) {
      if (err instanceof SipParseError) return this.onMalformed(err, from, raw);
      // A message the cores could not handle must not take the edge down with it.
      this.options.logger?.error({ err, from }, 'failed to handle SIP message');
    }
  }

  /** Counts the datagram; a request whose headers were readable gets a 400 naming the problem (§18.3). */
  private onMalformed(err: SipParseError, from: Peer, raw: string): void {
    this.malformedCount++;
    this.options.logger?.debug({ from, reason: err.message, bytes: raw.length }, 'malformed SIP datagram');
    if (err.partial instanceof SipRequest) this.uas?.rejectMalformed(err.partial, from, err.status, err.message);
  }
}
