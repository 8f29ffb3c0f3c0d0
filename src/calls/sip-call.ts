// What an outbound call (outbound-call.ts) and an inbound one (inbound/inbound-call.ts) are alike in: a
// record with its lifecycle and journal, the far party's leg whose answer starts the answered call (AMD, the
// bot, the bridge: answered-call.ts), and one way out, end(), that fixes the outcome once and is done when
// every leg is torn down and the store has everything. Each kind says how its far leg is reached (run()) and
// what else its ending settles (onEnding()).

import { systemClock, type CallRecord, type Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import type { LegMedia } from '../media/index.js';
import { AnsweredCall, type AnsweredCallOwner, type AnsweredCallSetup } from './answered-call.js';
import { AudioLevel } from './audio-level.js';
import type { NotifyTarget, CallJournal } from './call-journal.js';
import { callParts, closeWhenTornDown, reportMedia } from './call-parts.js';
import type { CallServices } from './call-services.js';
import type { CallLifecycle, CallState } from './call-state.js';
import { endedByOutdial, type CallEnd } from './outcome.js';
import { RtpReport } from './rtp-report.js';
import type { UacLegServices } from './uac-leg.js';

/** The far party's leg as the call's ending sees it: its media (once answered) and how it is torn down. */
export interface FarLeg {
  readonly media: LegMedia | undefined;
  end(): Promise<void>;
}

export abstract class SipCall {
  readonly conversationId: string;
  /** Resolves once every leg is torn down and the store has the final record and notification. */
  readonly done: Promise<void>;

  protected readonly clock: Clock;
  protected readonly log: Logger;
  protected readonly lifecycle: CallLifecycle;
  protected readonly journal: CallJournal;
  protected readonly legServices: UacLegServices;
  /** Liveness, AMD, the bot and the bridge, once the far party answered. */
  protected afterAnswer: AnsweredCall | undefined;
  private rtp: RtpReport | undefined;
  private readonly level = new AudioLevel();
  private resolveDone!: () => void;

  protected constructor(
    readonly record: CallRecord,
    protected readonly services: CallServices,
    log: Logger,
    notify: NotifyTarget,
  ) {
    this.conversationId = record.conversationId;
    this.clock = services.clock ?? systemClock;
    this.log = log;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    ({ lifecycle: this.lifecycle, journal: this.journal, legServices: this.legServices } = callParts(record, services, this.clock, log, notify));
  }

  /** The leg to the callee (outbound) or to the dialer (inbound). */
  protected abstract get farLeg(): FarLeg;

  /** Reaches the far party and answers or is answered; may throw: start() turns that into end(). */
  protected abstract run(): Promise<void>;

  /** What this kind of call settles when it ends, after its legs' teardown began and before the final is written. */
  protected onEnding(_end: CallEnd, _now: number): void {}

  get currentState(): CallState {
    return this.lifecycle.state;
  }

  /** True from the moment the call's outcome is fixed, while its BYEs and writes may still be in flight. */
  get isFinished(): boolean {
    return this.lifecycle.isEnding;
  }

  protected get answered(): boolean {
    return this.lifecycle.answeredAt !== undefined;
  }

  /** Places or answers the call; never throws: every failure ends in end(). */
  start(): void {
    this.run().catch((err: unknown) => {
      this.log.error({ err }, 'call failed unexpectedly');
      this.abandon(err instanceof Error ? err.message : String(err));
    });
  }

  /** Ends the call because the daemon stops: CANCEL (or 480) before the answer, BYE after it. */
  terminate(): void {
    this.end(endedByOutdial(this.answered, 'shutdown'));
  }

  /** Ends the call with an error that outdial cannot recover from (e.g. its SIP edge was lost). */
  abandon(detail: string): void {
    this.end(endedByOutdial(this.answered, 'error', detail));
  }

  /**
   * The far party answered (or was answered) with `media`: its level and RTP counters are kept, and the
   * answered call (liveness, AMD, the bot, the bridge) starts.
   */
  protected startAnswered(media: LegMedia, setup: Omit<AnsweredCallSetup, 'media' | 'rtp'>, extra?: Pick<AnsweredCallOwner, 'onAmdEvent'>): void {
    media.on('frame', (pcm) => this.level.add(pcm));
    media.on('gap', (ms) => this.level.gap(ms));
    this.rtp = new RtpReport(this.services.metrics, () => media.stats);
    this.afterAnswer = new AnsweredCall(
      { ...setup, media, rtp: this.rtp },
      {
        lifecycle: this.lifecycle,
        record: this.record,
        journal: this.journal,
        services: this.services,
        legServices: this.legServices,
        clock: this.clock,
        log: this.log,
        end: (end) => this.end(end),
        ...extra,
      },
    );
    this.afterAnswer.start();
  }

  /** The one way out: fixes the outcome, writes the final record and notification, tears every leg down. */
  end(end: CallEnd): void {
    if (this.lifecycle.isEnding) return;
    const now = this.clock.now();
    this.lifecycle.to('ending', now);
    this.afterAnswer?.stop();
    const far = this.farLeg;
    this.rtp = reportMedia(this.record, far.media, this.level, this.services, this.rtp);
    const teardown = [far.end(), ...(this.afterAnswer ? [this.afterAnswer.endBot()] : [])];
    this.onEnding(end, now);
    this.journal.end(end, now);
    // Done once the CANCEL or BYEs are answered (or given up) and the store has everything: shutdown waits on this.
    closeWhenTornDown({ lifecycle: this.lifecycle, journal: this.journal }, this.clock, teardown, this.resolveDone);
  }
}
