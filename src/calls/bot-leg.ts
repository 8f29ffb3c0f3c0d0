// The leg from outdial to the voice bot: outdial is a back-to-back user agent, so the bot gets its own
// INVITE (with the call's facts in X- headers), its own media, and the bot events as SIP INFO.

import type Srf from 'drachtio-srf';
import type { BotEvent } from '../domain/index.js';
import type { LegMedia } from '../media/index.js';
import type { BotEventPoster } from './bot-event-poster.js';
import { botInviteHeaders, startEvent, type BotCallFacts } from './bot-events.js';
import { InviteCancelled, InviteRejected, UacLeg, type UacLegServices } from './uac-leg.js';

export interface BotLegOptions {
  uri: string;
  facts: BotCallFacts;
  eventsUrl: string | undefined;
  poster: BotEventPoster;
  /** A bot that has not answered by then is CANCELled and the call ends with an error. */
  answerTimeoutMs: number;
  /** The callee's media, which the bot's is bridged to: a media server anchors both legs itself. */
  bridgeTo?: LegMedia;
}

export class BotLeg extends UacLeg {
  private timedOut = false;

  constructor(
    services: UacLegServices,
    private readonly options: BotLegOptions,
  ) {
    super(services);
  }

  /**
   * INVITEs the bot with `machineDetection` (the AMD decision so far) in X-Machine-Detection; resolves with
   * the bot's media once it answered and got the start event. A bot answering after its timeout is hung up.
   */
  async connect(machineDetection: string): Promise<LegMedia> {
    const { uri, facts, answerTimeoutMs } = this.options;
    const media = await this.openMedia(this.options.bridgeTo);
    this.startAnswerTimer(answerTimeoutMs, () => {
      this.timedOut = true;
      this.cancel();
    });
    let dialog: Srf.Dialog;
    try {
      dialog = await this.invite({ uri, headers: botInviteHeaders(facts, machineDetection) });
    } catch (err) {
      if (this.timedOut) throw new Error(`bot did not answer within ${answerTimeoutMs} ms`, { cause: err });
      if (err instanceof InviteRejected) throw new Error(`bot answered ${err.status}`, { cause: err });
      if (err instanceof InviteCancelled) throw err;
      throw new Error(`bot INVITE failed: ${(err as Error).message}`, { cause: err });
    }
    dialog.on('info', (_req: Srf.SrfRequest, res: Srf.SrfResponse) => res.send(200));
    try {
      this.startMedia(dialog);
    } catch (err) {
      throw new Error(`bot answered with unusable SDP: ${(err as Error).message}`, { cause: err });
    }
    this.send(startEvent(facts));
    return media;
  }

  /** When RTP last came from the bot (epoch ms), or when it answered if none came yet. */
  get lastRtpAt(): number | undefined {
    if (!this.up) return undefined;
    return this.media?.stats.lastArrivalAt ?? this.answeredAt;
  }

  /** Why the bot's media ended on its own (its media server is gone), while the bot is up. */
  get mediaStopped(): string | undefined {
    return this.up ? this.media?.stopped : undefined;
  }

  /** An event to the bot: as SIP INFO on its leg and, when configured, to its eventsUrl. */
  send(event: BotEvent): void {
    if (this.options.eventsUrl) this.options.poster.post(this.options.eventsUrl, event);
    const dialog = this.connectedDialog;
    if (!dialog) return;
    dialog
      .request({ method: 'INFO', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) })
      .catch((err: unknown) => this.services.logger.warn({ err, event: event.name }, 'INFO to the bot failed'));
  }
}
