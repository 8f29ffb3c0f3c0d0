import { hostname } from 'node:os';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerApi } from '../api/index.js';
import { healthRoutes, readinessOf, type Readiness } from '../api/routes/health.js';
import { httpBotEventPoster, Launcher, type CallServices } from '../calls/index.js';
import { InboundRouter, InboundRoutes } from '../inbound/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { DirectRtpPath, RtpPortPool, type MediaPath } from '../media/index.js';
import { FreeswitchPath } from '../media/freeswitch/path.js';
import { FreeswitchServers } from '../media/freeswitch/servers.js';
import { createMetrics, type DialoutRejectionReason, type Metrics } from '../metrics/index.js';
import { Notifier, signingSecretsOf } from '../notify/index.js';
import { destinationPolicy, installDestinationPolicy } from '../notify/destination-guard.js';
import { unwrittenSettled } from '../notify/unwritten.js';
import { abandonRetriesAfter } from '../calls/persist.js';
import { DestinationPolicy } from '../notify/destination-policy.js';
import { connectSip, type SipConnection } from '../sip/index.js';
import { STEP_MS, WRITE_RETRY_AFTER_GRACE_MS, within } from './stop-bounds.js';
import { createStore, type Store, type StoreHealth } from '../store/index.js';
import { srfRequester, TrunkHealth, type TrunkReport } from '../trunks/index.js';
import { SipResolver } from '../dns/index.js';

/** What GET /healthz reports: each part the daemon depends on, and whether it is usable now. */
export interface Health {
  ok: boolean;
  sip: { edge: 'embedded' | 'drachtio'; connected: boolean };
  store: StoreHealth;
  calls: { active: number; accepting: boolean };
  /** Every trunk: usable or not, its pings and its registration (docs/trunks.md). */
  trunks: TrunkReport[];
  [part: string]: unknown;
}

const dialoutRoutes = new Set(['/api/v1/actions/dialout', '/api/1.1/public/bot/:botId/smartassist/dialout']);

/** The metrics' word for a refused dialout's HTTP status; 429 is left to the launcher, which knows which limit. */
function refusalReason(status: number): DialoutRejectionReason | undefined {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'unknown-bot';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500 && status !== 429) return 'invalid';
  return undefined;
}

/** How often the daemon proves it is alive, and how long the store believes it without news. */
const HEARTBEAT_MS = 3000;
const HEARTBEAT_TTL_MS = 10000;

/**
 * The long-lived process behind `outdial start`: owns the HTTP server, the SIP edge and drachtio-srf,
 * the store, the notifier and the calls. One obvious entry point; `stop()` drains and shuts down in order.
 */
export class Daemon {
  readonly http: FastifyInstance;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly notifier: Notifier;
  /** This daemon's id in the store; stable across restarts on one host and port, so a restart finds its calls. */
  readonly owner: string;
  private sip: SipConnection | undefined;
  private launcher: Launcher | undefined;
  private trunkHealth: TrunkHealth | undefined;
  private pool: RtpPortPool;
  /** media.mode freeswitch: the media servers calls are anchored at. */
  private freeswitch: FreeswitchServers | undefined;
  private notifierStarted = false;
  private housekeeping: NodeJS.Timeout | undefined;
  private housekeepingRun: Promise<void> = Promise.resolve();
  private stopping = false;
  private straysReported = 0;
  /** Settles when the daemon cannot go on (its SIP edge refused the secret); `outdial start` then exits 1. */
  readonly failed: Promise<Error>;
  private fail!: (err: Error) => void;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.failed = new Promise((resolve) => {
      this.fail = resolve;
    });
    this.owner = config.instanceId ?? `${hostname()}:${config.http.port}`;
    this.metrics = createMetrics();
    this.store = createStore(config.store, logger);
    // Every notification is checked again at delivery against the operator's list (README "Security").
    installDestinationPolicy(new DestinationPolicy(config.notifications.allowedDestinations));
    this.notifier = new Notifier({
      store: this.store,
      signingSecrets: signingSecretsOf(config.notifications),
      timeoutMs: config.notifications.timeoutMs,
      retries: config.notifications.retries,
      logger: logger.child({ component: 'notify' }),
      owner: this.owner,
      metrics: this.metrics,
    });
    this.pool = new RtpPortPool(config.media.rtp);
    // Request lines stay out of the log (level warn for the http child); errors still reach it.
    const httpLog: FastifyBaseLogger = logger.child({ component: 'http' }, { level: logger.levelVal > 40 ? logger.level : 'warn' });
    this.http = Fastify({ loggerInstance: httpLog, bodyLimit: 256 * 1024 });
    healthRoutes(this.http, { health: () => this.health(), readiness: () => this.readiness() });
    // Refusals answered before a dialout reaches the launcher are counted here; the launcher counts its 429s.
    this.http.addHook('onResponse', async (req, reply) => {
      if (req.method !== 'POST' || !dialoutRoutes.has(req.routeOptions.url ?? '')) return;
      const reason = refusalReason(reply.statusCode);
      if (reason) this.metrics.dialoutsRejected.inc({ reason });
    });
    this.http.get('/metrics', async (_req, reply) => {
      this.metrics.activeCalls.set(this.launcher?.inProgress ?? 0);
      const strays = this.pool.packetsFromUnexpectedSources;
      this.metrics.rtpPacketsDropped.inc({ reason: 'unexpected-source' }, strays - this.straysReported);
      this.straysReported = strays;
      this.metrics.notificationsPending.set(this.notifier.pending());
      return reply.header('content-type', this.metrics.contentType).send(await this.metrics.text());
    });
  }

  /** RTP ports held by calls now (0 when no call is up): for leak checks. */
  get rtpPortsInUse(): number {
    return this.pool.inUse;
  }

  health(): Health {
    const connected = this.sip?.connected() ?? false;
    const store = this.store.health();
    const accepting = !this.stopping && this.launcher?.refusal() === undefined;
    return {
      ok: connected && store.ok && !this.stopping,
      sip: { edge: this.config.sip.edge, connected },
      store,
      calls: { active: this.launcher?.active ?? 0, accepting },
      trunks: this.trunkHealth?.report() ?? [],
      ...(this.freeswitch && { freeswitch: this.freeswitch.report() }),
    };
  }

  /** What GET /readyz reports: whether to send this daemon new dialouts, and every reason not to. */
  readiness(): Readiness {
    const free = this.pool.capacity - this.pool.inUse;
    const trunks = this.trunkHealth?.report() ?? [];
    return readinessOf({
      sipConnected: this.sip?.connected() ?? false,
      store: this.store.health(),
      media: this.mediaReadiness(free),
      // A trunk is up while it answers its pings and its registration has not failed (docs/trunks.md).
      trunks: { configured: trunks.length, up: trunks.filter((t) => t.usable).length },
      draining: this.stopping,
    });
  }

  /** Direct RTP, or media.mode freeswitch: calls anchored at the configured FreeSWITCH servers. */
  private mediaPath(sip: SipConnection): MediaPath {
    if (this.config.media.mode !== 'freeswitch') return new DirectRtpPath(this.pool);
    this.freeswitch = new FreeswitchServers(this.config.media.freeswitch ?? [], sip.srf, this.pool.host, this.logger.child({ component: 'media' }));
    void this.freeswitch.start();
    return new FreeswitchPath(this.freeswitch, this.pool, this.config.calls.rtpTimeoutSec);
  }

  private mediaReadiness(freePorts: number): { ok: boolean; detail?: string } {
    if (freePorts <= 0) return { ok: false, detail: `no free RTP port (all ${this.pool.capacity} in use)` };
    const fs = this.freeswitch;
    if (fs && fs.upCount === 0) return { ok: false, detail: `no FreeSWITCH media server is up (${fs.servers.length} configured)` };
    return { ok: true };
  }

  /** Starts every part; resolves when the daemon accepts HTTP requests. */
  async start(): Promise<{ httpPort: number; sip: { host: string; port: number } }> {
    const log = this.logger;
    // An inbound route's actionHook obeys the notification destination policy, as a dialout's notifyUrl does.
    const hookProblems = await new InboundRoutes(this.config).actionHookProblems(destinationPolicy());
    if (hookProblems.length > 0) throw new Error(`inbound routes: ${hookProblems.join('; ')}`);
    abandonRetriesAfter(Number.POSITIVE_INFINITY);
    if (!(await this.store.ready(3000))) {
      log.error({ store: this.store.health() }, 'store unavailable at start: dialouts answer 503 until it is reachable');
    }
    this.sip = await connectSip(this.config, log);
    const sip = this.sip;
    const dns = this.config.sip.dns;
    const resolver = new SipResolver({ ...(dns?.servers && { servers: dns.servers }), ...(dns && { timeoutMs: dns.timeoutMs }) });
    this.trunkHealth = new TrunkHealth(this.config.accounts, srfRequester(sip.srf), log.child({ component: 'trunks' }), this.metrics, () => sip.connected(), (trunk) =>
      resolver.resolve(trunk.host, trunk.transport),
    );
    this.trunkHealth.start();
    const services: CallServices = {
      srf: sip.srf,
      media: this.mediaPath(sip),
      localHost: this.pool.host,
      store: this.store,
      notifier: this.notifier,
      metrics: this.metrics,
      logger: log.child({ component: 'calls' }),
      config: this.config,
      botEvents: httpBotEventPoster(log.child({ component: 'bot-events' }), signingSecretsOf(this.config.notifications)),
      botAnswerTimeoutMs: this.config.calls.botAnswerTimeoutMs,
      cancelGraceMs: 4000,
      owner: this.owner,
      trunks: this.trunkHealth,
    };
    const launcher = new Launcher(services, {
      owner: this.owner,
      sipConnected: () => sip.connected(),
      ...(this.freeswitch && { mediaRefusal: () => this.freeswitch?.refusal() }),
    });
    this.launcher = launcher;
    sip.on('lost', (reason) => launcher.edgeLost(reason));
    sip.on('fatal', (err) => this.fail(err));
    // Without inbound routes no INVITE handler is registered, so an unsolicited INVITE keeps its 405.
    if (this.config.inbound.length > 0) {
      const inbound = new InboundRouter({
        routes: new InboundRoutes(this.config),
        services,
        uas: sip.srf,
        refusal: () => (this.stopping ? 'outdial is shutting down' : launcher.refusal()),
        hold: (call) => launcher.hold(call),
      });
      sip.srf.invite((req, res) => inbound.handle(req, res));
    }
    await registerApi(this.http, {
      config: this.config,
      launcher,
      calls: { get: (id) => this.store.getCall(id) },
      acceptingDialouts: () => {
        const refusal = this.stopping ? 'outdial is shutting down' : launcher.refusal();
        return refusal ? { ok: false, status: 503, error: refusal } : { ok: true };
      },
    });
    await this.housekeep();
    this.housekeeping = setInterval(() => {
      this.housekeepingRun = this.housekeepingRun.then(() => this.housekeep());
    }, HEARTBEAT_MS);
    await this.http.listen({ host: this.config.http.host, port: this.config.http.port });
    const addr = this.http.server.address();
    const httpPort = typeof addr === 'object' && addr ? addr.port : this.config.http.port;
    log.info({ httpPort, sip: sip.sipAddress, owner: this.owner }, 'outdial started');
    return { httpPort, sip: sip.sipAddress };
  }

  /**
   * Heartbeat, then (once the store answers) start delivering the outbox and finish calls whose daemon
   * died. Retried every few seconds, so a store that was down at start catches up when it is back.
   */
  private async housekeep(): Promise<void> {
    if (this.stopping || !this.store.health().ok) return;
    try {
      await this.store.heartbeat(this.owner, HEARTBEAT_TTL_MS);
      if (!this.notifierStarted) {
        await this.notifier.start();
        this.notifierStarted = true;
      } else {
        await this.notifier.adoptOrphans();
      }
      const recovered = await this.launcher!.recoverOrphans();
      if (recovered > 0) this.logger.warn({ recovered }, 'finished calls left by a stopped daemon');
    } catch (err) {
      this.logger.warn({ err }, 'housekeeping failed; will retry');
    }
  }

  /** SIGTERM: no new dialouts (503), calls may finish within the grace period, then end with a notification. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const graceMs = this.config.calls.shutdownGraceMs;
    const sendMs = this.config.notifications.timeoutMs;
    // Every step is bounded, so the process ends within the grace plus STOP_BOUND_MS whatever the store does:
    // a write still failing WRITE_RETRY_AFTER_GRACE_MS after the grace is given up, and a final
    // notification the outbox never took is sent directly or logged whole (src/notify/unwritten.ts).
    abandonRetriesAfter(Date.now() + graceMs + WRITE_RETRY_AFTER_GRACE_MS);
    clearInterval(this.housekeeping);
    const log = this.logger;
    await within(this.housekeepingRun, STEP_MS, 'housekeeping', log);
    log.info({ active: this.launcher?.active ?? 0, graceMs }, 'draining calls');
    await this.launcher?.shutdown(graceMs);
    await within(unwrittenSettled(), sendMs + 1000, 'direct notifications', log);
    await this.notifier.drain(sendMs + 2000);
    await within(this.notifier.stop(), sendMs + 1000, 'notifier', log);
    await within(this.http.close(), STEP_MS, 'HTTP server', log);
    // Registrations are removed while the SIP edge is still there to send the REGISTERs.
    await within(this.trunkHealth?.stop(), STEP_MS, 'trunk registrations', log);
    this.freeswitch?.stop();
    await within(this.sip?.close(), STEP_MS, 'SIP edge', log);
    await within(this.store.close(), STEP_MS, 'store', log);
    log.info('outdial stopped');
  }
}
