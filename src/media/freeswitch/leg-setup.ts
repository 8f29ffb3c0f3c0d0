// Setting a leg up on a FreeSWITCH (docs/media.md, "freeswitch"): its turn among the legs set up there
// (setup-queue.ts), its two endpoints made through drachtio-fsmrf, and the limits that keep a frozen or lost
// server from holding a call in setup without a final notification.

import type Mrf from 'drachtio-fsmrf';
import type { Logger } from '../../log/index.js';
import { RtpEndpoint } from '../endpoint.js';
import type { RtpPortPool } from '../port-pool.js';
import { buildOffer, parseAnswer } from '../sdp.js';
import { FreeswitchLeg } from './leg.js';
import type { FreeswitchServer } from './servers.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * How long a leg's endpoints may take once its turn has come (setup-queue.ts): a healthy FreeSWITCH makes both
 * in well under a second, and drachtio-fsmrf gives up on one that answered but did not connect back within
 * 4 s (tried twice, then).
 */
export const LEG_SETUP_TIMEOUT_MS = 10_000;

/**
 * The tap's offer to the listening channel, at 10 ms packets while the leg runs at 20 ms. FreeSWITCH's
 * eavesdrop holds at most 200 ms of the leg's audio and, when leg and listener packets are the same size,
 * sends one packet per packet the listener reads: once it lags (a busy host delays its thread), it never
 * catches up and the next overflow throws the whole 200 ms away, unannounced, so AMD's timeline shrinks and
 * its decisions come early (seen: 660 ms; a fax's tone cut up and taken for a beep). With smaller listener
 * packets it sends everything buffered each time (switch_ivr_eavesdrop_session), so the backlog drains.
 */
export function listenerOffer(host: string, port: number): string {
  return buildOffer({ address: host, port }).replace(/^a=ptime:20\r?$/m, (line) => line.replace('20', '10'));
}

/**
 * A leg's two endpoints and its tap on `server`. A leg waits its turn first: at most the server's
 * legSetupsAtOnce legs are set up on one FreeSWITCH at once (setup-queue.ts says why), a bot leg ahead of the callee legs
 * waiting (its callee has answered). drachtio-fsmrf bounds none of its steps once FreeSWITCH has answered the INVITE
 * (an endpoint waits for its channel's events for ever), so a FreeSWITCH that stopped or froze then held the
 * call in setup with no final notification (seen for 57 s and more): once its turn has come, setting up gives
 * up when the server's event socket closes, or after LEG_SETUP_TIMEOUT_MS, and the call fails with that
 * reason. Such a timeout fails the legs waiting behind it at once (the server is frozen); waiting itself ends
 * when the server goes, or after the server's legSetupWaitSec.
 */
export async function setUpLeg(
  server: FreeswitchServer,
  pool: RtpPortPool,
  /** calls.rtpTimeoutSec (0: off). */
  rtpTimeoutSec: number,
  logger: Logger,
  /** A bot leg: its callee has answered and waits for it, so it goes ahead of the legs waiting. */
  first: boolean,
): Promise<FreeswitchLeg> {
  const ms = server.mediaServer!;
  const name = `${server.config.address}:${server.config.port}`;
  server.calls++;
  const opened: Mrf.Endpoint[] = [];
  let tap: RtpEndpoint | undefined;
  let abandoned = false;
  const abandon = () => {
    if (abandoned) return;
    abandoned = true;
    server.calls--;
    tap?.close();
    for (const ep of opened) ep.destroy().catch(() => undefined);
  };
  // An endpoint FreeSWITCH hands over after setting up was given up goes straight away.
  const keep = (ep: Mrf.Endpoint): Mrf.Endpoint => {
    opened.push(ep);
    if (abandoned) {
      ep.destroy().catch(() => undefined);
      throw new Error('leg setup given up');
    }
    return ep;
  };
  // FreeSWITCH answered but its channel did not connect back within drachtio-fsmrf's 4 s: one more try
  // while the server is still up and the leg's time lasts. drachtio-fsmrf has hung that channel's dialog up
  // already, and hangs up a connect-back that comes later (its uuid is no longer pending).
  const createEndpoint = async (remoteSdp?: string): Promise<Mrf.Endpoint> => {
    const create = () => ms.createEndpoint(remoteSdp === undefined ? undefined : { remoteSdp });
    try {
      return await create();
    } catch (err) {
      if (message(err) !== 'Connection timeout' || abandoned || server.mediaServer !== ms) throw err;
      logger.warn({ freeswitch: name }, 'FreeSWITCH endpoint did not connect back within 4 s; trying once more');
      return await create();
    }
  };
  const build = async (): Promise<FreeswitchLeg> => {
    // The listening channel stamps its packets by its own clock, not the leg's audio: sequence order only.
    const opening = await RtpEndpoint.open(pool, { logger, sequenceTimeline: true });
    tap = opening;
    if (abandoned) {
      opening.close();
      throw new Error('leg setup given up');
    }
    const endpoint = keep(await createEndpoint());
    const listener = keep(await createEndpoint(listenerOffer(pool.host, opening.localPort)));
    if (!listener.local.sdp) throw new Error('FreeSWITCH gave no SDP answer for the listening endpoint');
    // Only what the far end sends (the channel's read side), not what outdial or the bot plays to it. Set
    // now, so that after the answer only the eavesdrop itself stands between the far end and AMD.
    await listener.set({ eavesdrop_bridge_aleg: 'true', eavesdrop_enable_dtmf: 'false' });
    if (abandoned) throw new Error('leg setup given up');
    // Listening starts before the INVITE goes out: audio the far end sends right after answering reaches
    // AMD at once instead of being lost while a listener is set up (AMD offsets would shift by that much).
    listener.execute('eavesdrop', endpoint.uuid).catch(() => undefined);
    opening.setRemote(parseAnswer(listener.local.sdp));
    // The server going away (or hanging a channel up) ends the leg's media: the call ends with it.
    return new FreeswitchLeg(server, endpoint, listener, opening, logger, rtpTimeoutSec);
  };
  const stop = new AbortController();
  const onLost = () => stop.abort(new Error('lost (event socket closed) while the leg was set up'));
  server.lostListeners.add(onLost);
  const setups = server.setups;
  const waitMs = server.setupWaitMs;
  const queueTimer = setTimeout(
    () => stop.abort(new Error(`no turn to set the leg up within ${waitMs / 1000} s (${setups.active} legs being set up, ${setups.waiting} waiting)`)),
    waitMs,
  );
  let setupTimer: NodeJS.Timeout | undefined;
  let release: (() => void) | undefined;
  try {
    release = await setups.acquire(stop.signal, first);
    clearTimeout(queueTimer);
    const givenUp = new Promise<never>((_resolve, reject) => {
      if (stop.signal.aborted) reject(stop.signal.reason as Error);
      stop.signal.addEventListener('abort', () => reject(stop.signal.reason as Error), { once: true });
    });
    setupTimer = setTimeout(() => {
      // The server answers nothing: every leg waiting behind this one would wait out its turn for nothing.
      setups.failWaiting(new Error(`FreeSWITCH ${name}: a leg set up before this one got no endpoint within ${LEG_SETUP_TIMEOUT_MS / 1000} s`));
      stop.abort(new Error(`no endpoint within ${LEG_SETUP_TIMEOUT_MS / 1000} s`));
    }, LEG_SETUP_TIMEOUT_MS);
    const building = build();
    // Whichever of the two loses the race settles later with nobody listening.
    building.catch(() => undefined);
    givenUp.catch(() => undefined);
    return await Promise.race([building, givenUp]);
  } catch (err) {
    abandon();
    const reason = message(err);
    throw new Error(reason.startsWith('FreeSWITCH ') ? reason : `FreeSWITCH ${name}: ${reason}`, { cause: err });
  } finally {
    clearTimeout(queueTimer);
    clearTimeout(setupTimer);
    release?.();
    server.lostListeners.delete(onLost);
  }
}
