import Srf from 'drachtio-srf';
import type { Config } from '../config/index.js';
import { EmbeddedEdge } from '../edge/index.js';
import type { Logger } from '../log/index.js';

/** drachtio-srf connected to a SIP edge, embedded or a real drachtio-server; call code sees only `srf`. */
export interface SipConnection {
  srf: Srf;
  connected(): boolean;
  /** Where the network reaches our SIP side (for Contact/SDP decisions and health reports). */
  sipAddress: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * Connects drachtio-srf as `sip.edge` says: `embedded` starts the in-process edge (drachtio protocol on a free
 * loopback port with a random secret); `drachtio` connects to `sip.drachtio`. Resolves once srf is connected.
 */
export async function connectSip(config: Config, logger: Logger): Promise<SipConnection> {
  const log = logger.child({ component: 'sip' });
  let edge: EmbeddedEdge | undefined;
  let target: { host: string; port: number; secret: string };
  if (config.sip.edge === 'embedded') {
    const e = config.sip.embedded;
    edge = new EmbeddedEdge({
      sip: { host: e.host, port: e.port, ...(e.publicAddress ? { publicAddress: e.publicAddress } : {}) },
      logger: log,
    });
    target = (await edge.start()).wire;
  } else {
    target = config.sip.drachtio;
  }
  const srf = new Srf();
  let connected = false;
  let sipAddress = edge
    ? { host: edge.sipAddress.address, port: edge.sipAddress.port }
    : { host: config.sip.drachtio.host, port: 5060 };
  try {
    const firstConnect = new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | undefined, hostport: string) => {
        if (err) {
          log.error({ err: err.message }, 'SIP edge refused the connection');
          return reject(err);
        }
        connected = true;
        // drachtio-server reports "udp/1.2.3.4:5060,tcp/..."; the first UDP entry is where SIP reaches us.
        const m = /udp\/\[?([^\]\s,]+?)\]?:(\d+)/.exec(hostport ?? '');
        if (m) sipAddress = { host: m[1]!, port: Number(m[2]) };
        log.info({ hostport, edge: config.sip.edge }, 'drachtio-srf connected');
        resolve();
      });
      srf.on('error', (err: Error) => {
        log.warn({ err: err.message }, 'SIP edge connection error');
        if (!connected && edge) reject(err);
      });
      // drachtio-srf re-emits the socket's 'close'; its typings omit it.
      (srf as unknown as NodeJS.EventEmitter).on('close', () => {
        connected = false;
      });
      // drachtio-srf's reconnect backoff grows without bound unless capped.
      srf.connect({ host: target.host, port: target.port, secret: target.secret, reconnect: { retryMaxDelay: 2000 } } as Srf.SrfConfig);
    });
    if (edge) {
      await firstConnect;
    } else {
      // A drachtio-server that is not up yet must not hold the daemon back: drachtio-srf keeps
      // reconnecting, /healthz says sip.connected false and dialouts answer 503 until it is there.
      firstConnect.catch(() => undefined);
      const waited = await Promise.race([firstConnect.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 3000).unref())]);
      if (!waited) log.error({ drachtio: `${target.host}:${target.port}` }, 'drachtio-server not reachable yet; retrying in the background');
    }
  } catch (err) {
    await edge?.close();
    throw err;
  }
  return {
    srf,
    connected: () => connected,
    get sipAddress() {
      return sipAddress;
    },
    close: async () => {
      connected = false;
      try {
        srf.disconnect();
      } catch {
        // Already disconnected.
      }
      await edge?.close();
    },
  };
}
