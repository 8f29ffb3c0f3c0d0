import { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { Config } from '../config/index.js';
import { EmbeddedEdge } from '../edge/index.js';
import type { Logger } from '../log/index.js';
import { EdgeLink } from './edge-link.js';
import { drachtioTlsWarnings } from './drachtio-tls.js';
import { embeddedTls } from './embedded-tls.js';
import { EDGE_ANSWER_DEADLINE_MS, EDGE_PING_INTERVAL_MS, MAX_EDGE_HEADER_BYTES, MAX_EDGE_MESSAGE_BYTES } from './edge-limits.js';

/** The SIP edge refused our secret: a drachtio-server with another `secret`; retrying cannot help. */
export class SipEdgeAuthError extends Error {
  constructor(target: { host: string; port: number }) {
    super(`the SIP edge at ${target.host}:${target.port} refused sip.drachtio.secret (authentication failed); fix the secret to match the drachtio-server's`);
    this.name = 'SipEdgeAuthError';
  }
}

export interface SipConnectionEvents {
  /** The connection to the edge went away (closed, or closed for not answering); drachtio-srf reconnects. */
  lost: [reason: string];
  /** The edge can never be used (it refused our secret); the daemon should stop. */
  fatal: [err: Error];
}

/** drachtio-srf connected to a SIP edge, embedded or a real drachtio-server; call code sees only `srf`. */
export interface SipConnection extends EventEmitter<SipConnectionEvents> {
  srf: Srf;
  connected(): boolean;
  /** Where the network reaches our SIP side (for Contact/SDP decisions and health reports). */
  sipAddress: { host: string; port: number };
  close(): Promise<void>;
}

export interface ConnectSipOptions {
  /** Overrides of the edge limits (tests use a short deadline). */
  answerDeadlineMs?: number;
}

/**
 * Connects drachtio-srf as `sip.edge` says: `embedded` starts the in-process edge (drachtio protocol on a free
 * loopback port with a random secret); `drachtio` connects to `sip.drachtio`. Resolves once srf is connected,
 * or for a drachtio-server not reachable yet after a few seconds; rejects when the edge refuses the secret.
 */
export async function connectSip(config: Config, logger: Logger, options: ConnectSipOptions = {}): Promise<SipConnection> {
  const log = logger.child({ component: 'sip' });
  let edge: EmbeddedEdge | undefined;
  let target: { host: string; port: number; secret: string };
  if (config.sip.edge === 'embedded') {
    const e = config.sip.embedded;
    edge = new EmbeddedEdge({
      sip: { host: e.host, port: e.port, ...(e.publicAddress ? { publicAddress: e.publicAddress } : {}), tls: embeddedTls(config) },
      ...(e.t1Ms !== undefined && { timers: { T1: e.t1Ms } }),
      logger: log,
    });
    target = (await edge.start()).wire;
  } else {
    target = config.sip.drachtio;
    for (const warning of drachtioTlsWarnings(config)) log.warn(warning);
  }
  const srf = new Srf();
  const events = new EventEmitter<SipConnectionEvents>();
  let connected = false;
  let link: EdgeLink | undefined;
  let sipAddress = edge
    ? { host: edge.sipAddress.address, port: edge.sipAddress.port }
    : { host: config.sip.drachtio.host, port: 5060 };
  // Carriers ping trunks with OPTIONS; a drachtio-server answers 503 to a method no application routes.
  // (drachtio-srf defines a method per SIP verb at run time; its typings omit them.)
  (srf as unknown as { options(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).options((_req, res) =>
    res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO', Accept: 'application/sdp' } }),
  );
  try {
    const firstConnect = new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | undefined, hostport: string) => {
        if (err) {
          const fatal = new SipEdgeAuthError(target);
          log.fatal({ err, edge: `${target.host}:${target.port}` }, fatal.message);
          connected = false;
          link?.giveUp();
          events.emit('fatal', fatal);
          return reject(fatal);
        }
        connected = true;
        // drachtio-server reports "udp/1.2.3.4:5060,tcp/..."; the first UDP entry is where SIP reaches us.
        const m = /udp\/\[?([^\]\s,]+?)\]?:(\d+)/.exec(hostport ?? '');
        if (m) sipAddress = { host: m[1]!, port: Number(m[2]) };
        log.info({ hostport, edge: config.sip.edge }, 'drachtio-srf connected');
        resolve();
      });
      srf.on('error', (err: Error) => {
        log.warn({ err }, 'SIP edge connection error');
        if (!connected && edge) reject(err);
      });
      // drachtio-srf's reconnect backoff grows without bound unless capped.
      // connect() returns nothing at runtime (its typed promise never comes): the outcome is an event.
      void srf.connect({
        host: target.host,
        port: target.port,
        secret: target.secret,
        reconnect: { retryMaxDelay: 2000 },
        enablePing: true,
        pingInterval: EDGE_PING_INTERVAL_MS,
      } as Srf.SrfConfig);
      link = new EdgeLink(srf, {
        maxMessageBytes: MAX_EDGE_MESSAGE_BYTES,
        maxHeaderBytes: MAX_EDGE_HEADER_BYTES,
        answerDeadlineMs: options.answerDeadlineMs ?? EDGE_ANSWER_DEADLINE_MS,
        logger: log,
      });
      link.on('lost', (reason) => {
        connected = false;
        log.error({ edge: `${target.host}:${target.port}` }, `${reason}; connecting again`);
        events.emit('lost', reason);
      });
    });
    if (edge) {
      await firstConnect;
    } else {
      // A drachtio-server that is not up yet must not hold the daemon back: drachtio-srf keeps
      // reconnecting, /healthz says sip.connected false and dialouts answer 503 until it is there.
      firstConnect.catch(() => undefined);
      const waited = await Promise.race([
        firstConnect.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 3000).unref()),
      ]);
      if (!waited) log.error({ drachtio: `${target.host}:${target.port}` }, 'drachtio-server not reachable yet; retrying in the background');
    }
  } catch (err) {
    link?.close();
    await edge?.close();
    throw err;
  }
  const connection = Object.assign(events, {
    srf,
    connected: () => connected,
    sipAddress,
    close: async () => {
      connected = false;
      link?.close();
      try {
        srf.disconnect();
      } catch {
        // Already disconnected.
      }
      await edge?.close();
    },
  });
  // Where SIP reaches us can change with each connection to a drachtio-server.
  Object.defineProperty(connection, 'sipAddress', { get: () => sipAddress });
  return connection;
}
