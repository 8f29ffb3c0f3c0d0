// The live state of every trunk of every account: answering its OPTIONS pings or not, registered or
// not (docs/trunks.md). Calls ask it which trunks they may use; /healthz and /metrics show it.

import type { AccountConfig, TrunkConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import { TrunkKeepalive } from './keepalive.js';
import { trunkKey } from './limits.js';
import { TrunkRegistration, type RegistrationReport } from './registration.js';
import type { SipRequester } from './sip-request.js';
import { resolvesByDns, trunkHostport, trunkTransportParam } from './trunk-address.js';
import { hopUri, type SipHop } from '../dns/index.js';

/** A requester sending to the first address DNS gives now (answers are cached for their TTL). */
function viaDns(request: SipRequester, hops: () => Promise<SipHop[]>): SipRequester {
  return async (uri, req, timeoutMs) => {
    const [first] = await hops();
    return request(uri, first ? { ...req, proxy: hopUri(first) } : req, timeoutMs);
  };
}

/** One trunk in the health report. */
export interface TrunkReport {
  account: string;
  trunk: string;
  /** Whether calls may go through it now: answering its pings and not failing its registration. */
  usable: boolean;
  /** Present when the trunk is pinged. */
  ping?: { up: boolean; intervalSec: number; missedInARow: number };
  /** Present when the trunk registers. */
  registration?: RegistrationReport;
}

/** Where a trunk's OPTIONS and REGISTER go (RFC 3261 §19.1.1: the transport parameter for TCP and TLS). */
export function trunkUri(trunk: Pick<TrunkConfig, 'host' | 'port' | 'transport'>): string {
  return `sip:${trunkHostport(trunk)}${trunkTransportParam(trunk)}`;
}

interface Watched {
  account: string;
  trunk: TrunkConfig;
  keepalive?: TrunkKeepalive;
  registration?: TrunkRegistration;
}

export class TrunkHealth {
  private readonly watched = new Map<string, Watched>();
  private started = false;

  constructor(
    accounts: readonly AccountConfig[],
    sendRequest: SipRequester,
    logger: Logger,
    private readonly metrics?: Pick<Metrics, 'trunkUp' | 'trunkRegistered'>,
    /** Whether our SIP edge is connected: a trunk is not blamed for our own edge being gone. */
    edgeConnected?: () => boolean,
    /** The addresses of a trunk found through DNS (src/dns): its pings and REGISTERs go to the first. */
    resolve?: (trunk: TrunkConfig) => Promise<SipHop[]>,
  ) {
    for (const account of accounts) {
      for (const trunk of account.trunks) {
        const request = resolve && resolvesByDns(trunk) ? viaDns(sendRequest, () => resolve(trunk)) : sendRequest;
        const labels = { account: account.name, trunk: trunk.name };
        const log = logger.child(labels);
        const w: Watched = { account: account.name, trunk };
        if (trunk.ping) {
          w.keepalive = new TrunkKeepalive({
            uri: trunkUri(trunk),
            intervalMs: trunk.ping.intervalSec * 1000,
            request,
            logger: log,
            onChange: (up) => this.metrics?.trunkUp.set(labels, up ? 1 : 0),
            ...(edgeConnected && { edgeConnected }),
          });
        }
        if (trunk.register) {
          w.registration = new TrunkRegistration({
            uri: trunkUri(trunk),
            domain: trunk.host,
            ...trunk.register,
            request,
            logger: log,
            onChange: (state) => this.metrics?.trunkRegistered.set(labels, state === 'registered' ? 1 : 0),
            ...(edgeConnected && { edgeConnected }),
          });
        }
        this.metrics?.trunkUp.set(labels, 1);
        if (w.registration) this.metrics?.trunkRegistered.set(labels, 0);
        this.watched.set(trunkKey(account.name, trunk.name), w);
      }
    }
  }

  /** Starts pinging and registering (once drachtio-srf is connected). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const w of this.watched.values()) {
      w.keepalive?.start();
      w.registration?.start();
    }
  }

  /** Stops the pings and removes the registrations, each waiting at most timeoutMs. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.started = false;
    await Promise.all([...this.watched.values()].map(async (w) => {
      w.keepalive?.stop();
      await w.registration?.stop(timeoutMs);
    }));
  }

  /** Whether a call may go through the trunk now; a trunk this daemon does not know is taken as usable. */
  usable(account: string, trunk: string): boolean {
    const w = this.watched.get(trunkKey(account, trunk));
    if (!w) return true;
    return (w.keepalive?.up ?? true) && w.registration?.state !== 'failed';
  }

  report(): TrunkReport[] {
    return [...this.watched.values()].map((w) => ({
      account: w.account,
      trunk: w.trunk.name,
      usable: this.usable(w.account, w.trunk.name),
      ...(w.keepalive && w.trunk.ping && { ping: { up: w.keepalive.up, intervalSec: w.trunk.ping.intervalSec, missedInARow: w.keepalive.missedInARow } }),
      ...(w.registration && { registration: w.registration.report() }),
    }));
  }
}
