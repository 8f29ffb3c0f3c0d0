// One call leg anchored at FreeSWITCH (docs/media.md, "freeswitch"): its channel, the channel eavesdropping on
// it and outdial's tap receiving what that one hears; how the leg learns that its media stopped (the server
// lost, a channel hung up, the far end silent by FreeSWITCH's own packet count).

import type Mrf from 'drachtio-fsmrf';
import type { Logger } from '../../log/index.js';
import type { RtpEndpoint } from '../endpoint.js';
import type { LegMedia, LegMediaEvents, LegMediaStats } from '../media-path.js';
import { parseAnswer, parseOffer } from '../sdp.js';
import type { FreeswitchServer } from './servers.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** How a FreeSWITCH channel hung up, from its CHANNEL_HANGUP event. */
interface HangupEvent {
  getHeader(name: string): string | undefined;
}

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

export class FreeswitchLeg implements LegMedia {
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
