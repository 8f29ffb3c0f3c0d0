import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { connectSip, type SipConnection } from '../sip/index.js';

/** What GET /healthz reports: each part the daemon depends on, and whether it is usable now. */
export interface Health {
  ok: boolean;
  sip: { edge: 'embedded' | 'drachtio'; connected: boolean };
  [part: string]: unknown;
}

/**
 * The long-lived process behind `outdial start`: owns the HTTP server, the SIP edge and drachtio-srf,
 * the store and the calls. One obvious entry point; `stop()` shuts everything down in order.
 */
export class Daemon {
  readonly http: FastifyInstance;
  private sip: SipConnection | undefined;
  private stopping = false;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.http = Fastify({ loggerInstance: logger.child({ component: 'http' }) as any, disableRequestLogging: true });
    this.http.get('/healthz', async (_req, reply) => {
      const health = this.health();
      return reply.code(health.ok ? 200 : 503).send(health);
    });
  }

  health(): Health {
    const connected = this.sip?.connected() ?? false;
    return { ok: connected && !this.stopping, sip: { edge: this.config.sip.edge, connected } };
  }

  /** Starts every part; resolves when the daemon accepts HTTP requests. */
  async start(): Promise<{ httpPort: number }> {
    this.sip = await connectSip(this.config, this.logger);
    await this.http.listen({ host: this.config.http.host, port: this.config.http.port });
    const addr = this.http.server.address();
    const httpPort = typeof addr === 'object' && addr ? addr.port : this.config.http.port;
    this.logger.info({ httpPort }, 'outdial started');
    return { httpPort };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.http.close();
    await this.sip?.close();
    this.logger.info('outdial stopped');
  }
}
