// The leg from outdial to the voice bot: outdial is a back-to-back user agent, so the bot gets its own
// INVITE (with the call's facts in X- headers), its own RTP endpoint, and the bot events as SIP INFO.

import type Srf from 'drachtio-srf';
import type { Logger } from '../log/index.js';
import { buildOffer, parseAnswer, RtpEndpoint, type RtpPortPool } from '../media/index.js';
import type { BotEventPoster } from './bot-event-poster.js';
import { sendBye } from './bye.js';
import { uacProgress } from './uac-progress.js';
import { botInviteHeaders, startEvent, type BotCallFacts, type BotEvent } from './bot-events.js';

export interface BotLegOptions {
  srf: Srf;
  pool: RtpPortPool;
  uri: string;
  facts: BotCallFacts;
  /** The AMD decision so far, for X-Machine-Detection. */
  machineDetection: string;
  eventsUrl: string | undefined;
  poster: BotEventPoster;
  answerTimeoutMs: number;
  logger: Logger;
}

export class BotLeg {
  private dialog: Srf.Dialog | undefined;
  private media: RtpEndpoint | undefined;
  private invite: Srf.SrfRequest | undefined;
  private ended = false;
  private byeHandler: (() => void) | undefined;
  private answeredAt: number | undefined;

  constructor(private readonly options: BotLegOptions) {}

  get connected(): boolean {
    return this.dialog !== undefined && !this.ended;
  }

  /** INVITEs the bot; resolves with the bot's RTP endpoint once it answered, then sends it the start event. */
  async connect(): Promise<RtpEndpoint> {
    const { srf, pool, uri, facts } = this.options;
    const media = await RtpEndpoint.open(pool, { logger: this.options.logger });
    if (this.ended) {
      media.close();
      throw new Error('call ended before the bot was invited');
    }
    this.media = media;
    const localSdp = buildOffer({ address: pool.host, port: this.media.localPort });
    const timer = setTimeout(() => {
      try {
        this.invite?.cancel(() => undefined);
      } catch {
        // the INVITE already completed
      }
    }, this.options.answerTimeoutMs);
    try {
      this.dialog = await srf.createUAC(
        uri,
        { localSdp, headers: botInviteHeaders(facts, this.options.machineDetection) },
        uacProgress({
          onRequest: (sent) => {
            this.invite = sent;
            if (this.ended) sent.cancel(() => undefined);
          },
        }),
      );
    } catch (err) {
      const status = (err as { status?: number }).status;
      throw new Error(status ? `bot answered ${status}${status === 487 ? ' (no answer in time)' : ''}` : (err as Error).message, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    if (this.ended) {
      this.dialog.destroy();
      throw new Error('call ended while the bot answered');
    }
    this.dialog.on('destroy', () => {
      this.dialog = undefined;
      this.byeHandler?.();
    });
    this.dialog.on('info', (_req: Srf.SrfRequest, res: Srf.SrfResponse) => res.send(200));
    this.answeredAt = Date.now();
    this.media.setRemote(parseAnswer(this.dialog.remote.sdp));
    this.media.start();
    this.send(startEvent(facts));
    return this.media;
  }

  /** When RTP last came from the bot (epoch ms), or when it answered if none came yet. */
  get lastRtpAt(): number | undefined {
    if (!this.connected || !this.media) return undefined;
    return this.media.stats.lastArrivalAt ?? this.answeredAt;
  }

  onBye(handler: () => void): void {
    this.byeHandler = handler;
  }

  /** An event to the bot: as SIP INFO on its leg and, when configured, to its eventsUrl. */
  send(event: BotEvent): void {
    if (this.options.eventsUrl) this.options.poster.post(this.options.eventsUrl, event);
    const dialog = this.dialog;
    if (!dialog || this.ended) return;
    dialog
      .request({ method: 'INFO', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) } as unknown as Srf.SrfRequest)
      .catch((err: Error) => this.options.logger.warn({ err: err.message, event: event.name }, 'INFO to the bot failed'));
  }

  /** Ends the leg: BYE if it is up and `bye` is set, CANCEL if it is still ringing. Idempotent. */
  end(bye: boolean): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    let teardown = Promise.resolve();
    if (this.dialog) {
      this.dialog.removeAllListeners('destroy');
      if (bye) teardown = sendBye(this.dialog);
      this.dialog = undefined;
    } else if (this.invite) {
      try {
        this.invite.cancel(() => undefined);
      } catch {
        // already final
      }
    }
    this.media?.close();
    return teardown;
  }
}
