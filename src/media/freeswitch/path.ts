// Media anchored at FreeSWITCH (media.mode: freeswitch, docs/media.md). Each leg is a FreeSWITCH endpoint
// made through drachtio-fsmrf: FreeSWITCH offers the SDP the leg's INVITE carries (3PCC) and takes the far
// end's answer in a re-INVITE. The far end's audio reaches AMD through a second endpoint per leg whose remote
// SDP is outdial's own RTP socket and which eavesdrops on the leg's channel, hearing only what the far end
// sends (eavesdrop_bridge_aleg). That is plain RTP, so it works with FreeSWITCH on another host, and it keeps
// flowing while the leg is bridged to the bot (AMD keeps listening for a beep after a detect-mode bridge).
// The bridge itself is FreeSWITCH's (uuid_bridge).

import type Mrf from 'drachtio-fsmrf';
import type { Logger } from '../../log/index.js';
import { RtpEndpoint } from '../endpoint.js';
import type { LegMedia, LegMediaEvents, LegMediaStats, MediaBridge, MediaPath } from '../media-path.js';
import type { RtpPortPool } from '../port-pool.js';
import { buildOffer, parseAnswer, parseOffer } from '../sdp.js';
import type { FreeswitchServer, FreeswitchServers } from './servers.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** How a FreeSWITCH channel hung up, from its CHANNEL_HANGUP event. */
interface HangupEvent {
  getHeader(name: string): string | undefined;
}

/**
 * How long a leg's endpoints may take: a healthy FreeSWITCH makes both in well under a second, and
 * drachtio-fsmrf gives up on one that answered but did not connect back within 4 s.
 */
export const LEG_SETUP_TIMEOUT_MS = 10_000;

/** How often FreeSWITCH is asked whether the far end's RTP still arrives: a quarter of the timeout, 0.25-15 s. */
export function inboundPollMs(rtpTimeoutSec: number): number {
  return Math.min(15_000, Math.max(250, (rtpTimeoutSec * 1000) / 4));
}

/** The far end's RTP packet count in a `json {"command":"mediaStats"}` reply, or undefined when it has none. */
export function inboundPackets(reply: string): number | undefined {
  try {
    const parsed = JSON.parse(reply) as { response?: { audio?: { in_packet_count?: unknown } } };
    const count = parsed.response?.audio?.in_packet_count;
    return typeof count === 'number' ? count : undefined;
  } catch {
    return undefined;
  }
}

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

class FreeswitchLeg implements LegMedia {
  #closed = false;
  #answered = false;
  #stopped: string | undefined;
  /** When FreeSWITCH last reported more RTP from the far end than the time before (epoch ms). */
  #lastHeardAt: number | undefined;
  #inPackets = 0;
  #poll: NodeJS.Timeout | undefined;
  /** Settles once FreeSWITCH has the far end's SDP (its re-INVITE answered or failed); undefined before. */
  #sdpDelivered: Promise<void> | undefined;
  readonly #onLost = () => this.#stop(`FreeSWITCH ${this.#name} lost (event socket closed)`);

  constructor(
    readonly server: FreeswitchServer,
    /** The leg's own channel: its SDP is what the far end talks to. */
    readonly endpoint: Mrf.Endpoint,
    /** The channel that eavesdrops on `endpoint` and sends what it hears to `tap`. */
    private readonly listener: Mrf.Endpoint,
    /** outdial's socket receiving the far end's audio: the source of frames, gaps and stats. */
    readonly tap: RtpEndpoint,
    readonly logger: Logger,
    /** calls.rtpTimeoutSec (0: off). */
    private readonly rtpTimeoutSec: number,
  ) {
    server.lostListeners.add(this.#onLost);
    // A channel FreeSWITCH hangs up on its own (or that goes with its server) ends the call at once.
    for (const [ep, what] of [
      [endpoint, 'leg'],
      [listener, 'listening'],
    ] as const) {
      let cause: string | undefined;
      ep.conn?.on(`esl::event::CHANNEL_HANGUP::${ep.uuid}`, (evt: HangupEvent) => (cause ??= evt.getHeader('Hangup-Cause')));
      // drachtio-fsmrf gives the cause with 'destroy' when the channel's HANGUP call state reached it first.
      ep.once('destroy', (info?: { reason?: string }) =>
        this.#stop(`FreeSWITCH ${this.#name} ended the call's ${what} channel (${cause ?? info?.reason ?? 'its event socket closed'})`),
      );
    }
  }

  get #name(): string {
    return `${this.server.config.address}:${this.server.config.port}`;
  }

  get stopped(): string | undefined {
    return this.#stopped;
  }

  /** Whether the leg's media ended, by close() or on its own. */
  get ended(): boolean {
    return this.#closed || this.#stopped !== undefined;
  }

  /**
   * Settles once the far end's SDP has reached FreeSWITCH (the leg's re-INVITE answered, or failed), at once
   * when there is none to wait for: the bridge waits for it (FreeswitchPath.bridge says why).
   */
  get sdpDelivered(): Promise<void> {
    return this.#sdpDelivered ?? Promise.resolve();
  }

  #stop(reason: string): void {
    if (this.#closed || this.#stopped !== undefined) return;
    this.#stopped = reason;
    this.#stopPolling();
    this.tap.close();
    this.logger.warn({ reason }, 'FreeSWITCH leg: media ended');
  }

  /**
   * The listening channel keeps sending the tap silence it makes up while the far end sends nothing, so the
   * tap cannot tell when the far end went quiet: FreeSWITCH's own count of the far end's packets can. It is
   * read every inboundPollMs (its RTP session's media_timeout did not fire on these channels in FreeSWITCH
   * 1.10.12), so the liveness watch ends a silent call between calls.rtpTimeoutSec and that plus one poll.
   */
  #startPolling(): void {
    if (this.rtpTimeoutSec <= 0 || this.#poll) return;
    this.#lastHeardAt = Date.now();
    this.#poll = setInterval(() => void this.#pollInbound(), inboundPollMs(this.rtpTimeoutSec));
    this.#poll.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  async #pollInbound(): Promise<void> {
    const ms = this.server.mediaServer;
    if (!ms) return;
    let reply: string;
    try {
      reply = await ms.api(`json ${JSON.stringify({ command: 'mediaStats', data: { uuid: this.endpoint.uuid } })}`);
    } catch (err) {
      this.logger.debug({ err: message(err) }, 'FreeSWITCH leg: media stats not read');
      return;
    }
    const count = inboundPackets(reply);
    if (count === undefined || this.#closed) return;
    if (count > this.#inPackets) this.#lastHeardAt = Date.now();
    this.#inPackets = count;
  }

  get offer(): string {
    const sdp = this.endpoint.local.sdp;
    if (!sdp) throw new Error('FreeSWITCH gave no SDP offer for the leg');
    return sdp;
  }

  answer(sdp: string): void {
    parseAnswer(sdp); // an unusable answer fails the call now, as in direct mode
    if (this.#answered) return;
    this.#answered = true;
    this.tap.start();
    this.#startPolling();
    this.#sdpDelivered = this.#connect(sdp);
  }

  /**
   * An inbound leg: the caller's offer reaches FreeSWITCH in a re-INVITE of the leg's 3PCC dialog, and
   * FreeSWITCH's answer to it is the SDP the caller gets in outdial's 200 OK (docs/inbound.md). The listening
   * endpoint already eavesdrops on the channel, so the caller's first packets reach AMD.
   */
  async acceptOffer(sdp: string): Promise<string> {
    // An offer without G.711 audio is refused (488) before FreeSWITCH sees it, as in direct mode.
    parseOffer(sdp);
    if (this.#answered) throw new Error('the leg has taken an SDP offer or answer already');
    this.#answered = true;
    this.tap.start();
    this.#startPolling();
    let answer: unknown;
    try {
      const modified = this.endpoint.modify(sdp);
      this.#sdpDelivered = modified.then(
        () => undefined,
        () => undefined,
      );
      answer = await modified;
    } catch (err) {
      throw new Error(`FreeSWITCH did not take the offer: ${message(err)}`, { cause: err });
    }
    const local = typeof answer === 'string' && answer !== '' ? answer : this.endpoint.local.sdp;
    if (!local) throw new Error('FreeSWITCH gave no SDP answer for the offer');
    // FreeSWITCH's answer must itself be usable G.711 (its profile offers PCMU and PCMA only).
    parseAnswer(local);
    return local;
  }

  async #connect(sdp: string): Promise<void> {
    try {
      // FreeSWITCH takes the far end's RTP once this re-INVITE reaches it; what the far end sent before is
      // discarded and the tap gets FreeSWITCH's silence in its place (docs/media.md, AMD timing).
      await this.endpoint.modify(sdp);
    } catch (err) {
      if (!this.#closed) this.logger.error({ err: message(err) }, 'FreeSWITCH leg: media could not be connected');
    }
  }

  on<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): this {
    (this.tap.on as (e: E, l: (...args: LegMediaEvents[E]) => void) => unknown)(event, listener);
    return this;
  }

  off<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): this {
    (this.tap.off as (e: E, l: (...args: LegMediaEvents[E]) => void) => unknown)(event, listener);
    return this;
  }

  get codec(): string | undefined {
    const match = /^a=rtpmap:\d+ (PCMU|PCMA)\//m.exec(this.endpoint.remote.sdp ?? '');
    return match?.[1] ?? this.tap.media?.codec;
  }

  get stats(): LegMediaStats {
    const { packetsReceived, packetsLost, lastArrivalAt } = this.tap.stats;
    // The tap's own arrivals include the listening channel's made-up silence: FreeSWITCH's count is the truth.
    return { packetsReceived, packetsLost, lastArrivalAt: this.#poll ? this.#lastHeardAt : lastArrivalAt };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPolling();
    this.server.calls--;
    this.server.lostListeners.delete(this.#onLost);
    this.tap.close();
    for (const ep of [this.listener, this.endpoint]) {
      ep.destroy().catch((err: unknown) => this.logger.debug({ err: message(err) }, 'FreeSWITCH endpoint already gone'));
    }
  }
}

export class FreeswitchPath implements MediaPath {
  constructor(
    private readonly servers: FreeswitchServers,
    private readonly pool: RtpPortPool,
    /** calls.rtpTimeoutSec (0: off). */
    private readonly rtpTimeoutSec: number,
  ) {}

  /**
   * The leg's two endpoints and its tap. drachtio-fsmrf bounds none of its steps once FreeSWITCH has answered
   * the INVITE (an endpoint waits for its channel's events for ever), so a FreeSWITCH that stopped or froze
   * then held the call in setup with no final notification (seen for 57 s and more): setting up gives up when
   * the server's event socket closes, or after LEG_SETUP_TIMEOUT_MS, and the call fails with that reason.
   */
  async openLeg(logger: Logger, bridgeTo?: LegMedia): Promise<LegMedia> {
    // FreeSWITCH bridges only channels it holds itself: a bot leg goes where its callee's leg is.
    const near = bridgeTo instanceof FreeswitchLeg ? bridgeTo.server : undefined;
    const server = near?.up ? near : this.servers.pick();
    const ms = server.mediaServer!;
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
    const build = async (): Promise<LegMedia> => {
      // The listening channel stamps its packets by its own clock, not the leg's audio: sequence order only.
      const opening = await RtpEndpoint.open(this.pool, { logger, sequenceTimeline: true });
      tap = opening;
      if (abandoned) {
        opening.close();
        throw new Error('leg setup given up');
      }
      const endpoint = keep(await ms.createEndpoint());
      const listener = keep(await ms.createEndpoint({ remoteSdp: listenerOffer(this.pool.host, opening.localPort) }));
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
      return new FreeswitchLeg(server, endpoint, listener, opening, logger, this.rtpTimeoutSec);
    };
    let giveUp: (err: Error) => void = () => undefined;
    const givenUp = new Promise<never>((_resolve, reject) => (giveUp = reject));
    const onLost = () => giveUp(new Error('lost (event socket closed) while the leg was set up'));
    server.lostListeners.add(onLost);
    const timer = setTimeout(() => giveUp(new Error(`no endpoint within ${LEG_SETUP_TIMEOUT_MS / 1000} s`)), LEG_SETUP_TIMEOUT_MS);
    const building = build();
    // Whichever of the two loses the race settles later with nobody listening.
    building.catch(() => undefined);
    givenUp.catch(() => undefined);
    try {
      return await Promise.race([building, givenUp]);
    } catch (err) {
      abandon();
      throw new Error(`FreeSWITCH ${server.config.address}:${server.config.port}: ${message(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      server.lostListeners.delete(onLost);
    }
  }

  /**
   * uuid_bridge once both legs' far-end SDP reached FreeSWITCH, not before. The bot's SDP goes to its channel
   * in a re-INVITE sent as the bot answers; a uuid_bridge that FreeSWITCH takes before that re-INVITE, on a
   * 3PCC channel still without the far end's SDP, makes FreeSWITCH send an INVITE of its own on that channel
   * and lose it (seen: the channel hung up NORMAL_TEMPORARY_FAILURE, or run through the dialplan again and
   * refused by drachtio-fsmrf), and the bridged call ended seconds after it started, "FreeSWITCH … ended the
   * call's leg channel" (docs/media.md).
   */
  bridge(callee: LegMedia, bot: LegMedia): MediaBridge {
    if (!(callee instanceof FreeswitchLeg) || !(bot instanceof FreeswitchLeg)) throw new Error('FreeSWITCH bridges only its own legs');
    if (callee.server !== bot.server) throw new Error('the callee and bot legs are on different FreeSWITCH servers');
    let stopped = false;
    Promise.all([callee.sdpDelivered, bot.sdpDelivered])
      .then(async () => {
        if (stopped || callee.ended || bot.ended) return;
        await callee.endpoint.bridge(bot.endpoint);
      })
      .catch((err: unknown) => {
        // The legs end the call when their media stops; log why the audio never joined.
        callee.logger.error({ err: message(err) }, 'FreeSWITCH bridge failed');
      });
    // Closing either leg hangs its channel up, which ends the bridge.
    return {
      stop: () => {
        stopped = true;
      },
    };
  }
}
