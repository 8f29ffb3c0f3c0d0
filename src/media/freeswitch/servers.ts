// The FreeSWITCH media servers outdial drives (media.freeswitch in the config): one event-socket connection
// to each through drachtio-fsmrf, re-made with backoff when it drops, and the choice of server for a new
// call: the up one carrying the fewest calls. docs/media.md.

import Mrf from 'drachtio-fsmrf';
import type { Logger } from '../../log/index.js';
import { backoffDelay, sleep } from '../../retry/backoff.js';
import { signallingForMrf } from './mrf-signalling.js';
import { LEG_SETUP_WAIT_SEC, LEG_SETUPS_PER_SERVER, SetupQueue } from './setup-queue.js';

export interface FreeswitchServerConfig {
  address: string;
  port: number;
  secret: string;
  /** Legs set up on it at once (LEG_SETUPS_PER_SERVER when not given; setup-queue.ts). */
  legSetupsAtOnce?: number;
  /** How long a leg may wait for its turn, in seconds (LEG_SETUP_WAIT_SEC when not given). */
  legSetupWaitSec?: number;
}

/** What /healthz says about one media server. */
export interface FreeswitchServerReport {
  address: string;
  port: number;
  up: boolean;
  calls: number;
  /** Legs being set up on it now (at most its legSetupsAtOnce) and legs waiting for their turn. */
  setups: { active: number; waiting: number };
  lastError?: string;
}

export class NoMediaServerError extends Error {
  constructor(count: number) {
    super(`no FreeSWITCH media server is up (${count} configured)`);
    this.name = 'NoMediaServerError';
  }
}

/** One configured server and its connection. */
export class FreeswitchServer {
  mediaServer: Mrf.MediaServer | undefined;
  calls = 0;
  lastError: string | undefined;
  /** Its legs' setups, legSetupsAtOnce at once (setup-queue.ts). */
  readonly setups: SetupQueue;
  /** How long a leg may wait for its turn among those setups. */
  readonly setupWaitMs: number;
  /** Runs when the connection drops: the calls on this server end (their media is gone). */
  readonly lostListeners = new Set<() => void>();

  constructor(readonly config: FreeswitchServerConfig) {
    this.setups = new SetupQueue(config.legSetupsAtOnce ?? LEG_SETUPS_PER_SERVER);
    this.setupWaitMs = (config.legSetupWaitSec ?? LEG_SETUP_WAIT_SEC) * 1000;
  }

  get up(): boolean {
    return this.mediaServer !== undefined;
  }

  report(): FreeswitchServerReport {
    return {
      address: this.config.address,
      port: this.config.port,
      up: this.up,
      calls: this.calls,
      setups: { active: this.setups.active, waiting: this.setups.waiting },
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }
}

export class FreeswitchServers {
  readonly servers: FreeswitchServer[];
  readonly #mrf: Mrf;
  readonly #stop = new AbortController();

  constructor(
    configs: readonly FreeswitchServerConfig[],
    srf: unknown,
    /** The address FreeSWITCH reaches outdial at: its outbound event socket connects back here. */
    private readonly listenAddress: string,
    private readonly logger: Logger,
  ) {
    this.servers = configs.map((c) => new FreeswitchServer(c));
    // drachtio-fsmrf's own hang-ups of its dialogs must not end up as unhandled rejections (mrf-signalling.ts).
    this.#mrf = new Mrf(signallingForMrf(srf, logger));
  }

  /** Connects to every server in the background; resolves after the first attempt on each. */
  async start(): Promise<void> {
    await Promise.all(this.servers.map((s) => this.#connect(s, 0)));
  }

  stop(): void {
    this.#stop.abort();
    for (const s of this.servers) {
      const ms = s.mediaServer;
      s.mediaServer = undefined;
      ms?.disconnect();
    }
  }

  /** The up server carrying the fewest calls; throws NoMediaServerError when none is up. */
  pick(): FreeswitchServer {
    let best: FreeswitchServer | undefined;
    for (const s of this.servers) if (s.up && (best === undefined || s.calls < best.calls)) best = s;
    if (!best) throw new NoMediaServerError(this.servers.length);
    return best;
  }

  /** Why no new call can be placed, or undefined while a server is up. */
  refusal(): string | undefined {
    return this.upCount === 0 ? new NoMediaServerError(this.servers.length).message : undefined;
  }

  get upCount(): number {
    return this.servers.filter((s) => s.up).length;
  }

  report(): FreeswitchServerReport[] {
    return this.servers.map((s) => s.report());
  }

  async #connect(server: FreeswitchServer, attempt: number): Promise<void> {
    if (this.#stop.signal.aborted) return;
    const { address, port, secret } = server.config;
    const log = this.logger.child({ freeswitch: `${address}:${port}` });
    try {
      const ms = await this.#mrf.connect({ address, port, secret, listenAddress: this.listenAddress });
      if (this.#stop.signal.aborted) {
        ms.disconnect();
        return;
      }
      server.mediaServer = ms;
      server.lastError = undefined;
      log.info('FreeSWITCH media server connected');
      // drachtio-fsmrf logs 'error' on its own; an unhandled one would take the process down.
      ms.on('error', (err: Error) => log.warn({ err: err.message }, 'FreeSWITCH event socket error'));
      ms.once('end', () => {
        if (server.mediaServer !== ms) return;
        server.mediaServer = undefined;
        server.lastError = 'event socket connection lost';
        log.error('FreeSWITCH media server lost: its calls end, new calls go to the others');
        ms.disconnect();
        for (const lost of [...server.lostListeners]) lost();
        this.#reconnect(server, 0);
      });
    } catch (err) {
      server.lastError = err instanceof Error ? err.message : String(err);
      if (attempt === 0) log.error({ err: server.lastError }, 'FreeSWITCH media server unreachable; retrying');
      this.#reconnect(server, attempt + 1);
    }
  }

  #reconnect(server: FreeswitchServer, attempt: number): void {
    const delay = backoffDelay(attempt, { baseMs: 500, maxMs: 5000 });
    sleep(delay, this.#stop.signal).then(
      () => this.#connect(server, attempt),
      () => undefined,
    );
  }
}
