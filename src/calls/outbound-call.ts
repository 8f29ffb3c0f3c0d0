// One outbound call, from the INVITE to the trunk until its final notification. The call's life is the
// table in call-state.ts; this class wires the concerns that move it: the callee leg, the answered call
// (liveness, AMD on the callee's audio, the bot leg and the bridge: answered-call.ts), and the journal that
// records and notifies. Every way out goes through end(), once; `ending` lasts until every leg is torn down.

import { systemClock, type CallRecord, type Clock } from '../domain/index.js';
import type { DialoutRequest } from '../dialout/index.js';
import type { Logger } from '../log/index.js';
import { EarlyMediaListener } from '../amd/early-media.js';
import { AnsweredCall } from './answered-call.js';
import { AudioLevel } from './audio-level.js';
import { dialoutInitiatedEvent, type BotCallFacts } from './bot-events.js';
import { newCallRecord, type CallJournal } from './call-journal.js';
import { callParts, closeWhenTornDown, reportMedia } from './call-parts.js';
import type { CallLifecycle, CallState } from './call-state.js';
import { CalleeLeg } from './callee-leg.js';
import { endedByOutdial, type CallEnd } from './outcome.js';
import { RtpReport } from './rtp-report.js';
import type { CallServices } from './call-services.js';
import { InviteCancelled, InviteRejected, type InviteTarget, type UacLegServices } from './uac-leg.js';
import type { TrunkInvite, TrunkRoute } from '../trunks/index.js';

export class OutboundCall {
  readonly conversationId: string;
  readonly record: CallRecord;
  /** Resolves once every leg is torn down and the store has the final record and notification. */
  readonly done: Promise<void>;

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly lifecycle: CallLifecycle;
  private readonly journal: CallJournal;
  private readonly legServices: UacLegServices;
  private readonly callee: CalleeLeg;
  /** Liveness, AMD, the bot and the bridge, once the callee answered. */
  private afterAnswer: AnsweredCall | undefined;
  private rtp: RtpReport | undefined;
  private readonly level = new AudioLevel();
  private resolveDone!: () => void;
  /** Stops listening to early media; set while a 183's audio is heard. */
  private earlyMedia: (() => void) | undefined;

  constructor(
    readonly req: DialoutRequest,
    private readonly services: CallServices,
    /** The trunks the call goes out through, started (first trunk admitted) by the launcher; none for a sip: target sent to its own host. */
    private readonly route?: { trunks: TrunkRoute; first: TrunkInvite },
  ) {
    this.conversationId = req.conversationId;
    this.clock = services.clock ?? systemClock;
    this.log = services.logger.child({ conversationId: req.conversationId });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.record = newCallRecord(req, this.clock.now());
    if (route) this.onTrunk(route.first);
    ({ lifecycle: this.lifecycle, journal: this.journal, legServices: this.legServices } = callParts(this.record, services, this.clock, this.log, {
      url: req.notifyUrl,
      headers: req.notifyHeaders ?? {},
    }));
    this.callee = new CalleeLeg(this.legServices, req, services.localHost, {
      onProvisional: (status, sdp) => this.onProvisional(status, sdp),
      onAnswerTimeout: () => this.end({ kind: 'answer-timeout' }),
    }, services.config.sip.sessionExpiresSec);
    this.callee.onGone((cause) => this.end({ kind: 'ended', by: cause === 'session-expired' ? 'session-timer' : 'callee' }));
  }

  get currentState(): CallState {
    return this.lifecycle.state;
  }

  /** True from the moment the call's outcome is fixed, while its BYEs and writes may still be in flight. */
  get isFinished(): boolean {
    return this.lifecycle.isEnding;
  }

  private get answered(): boolean {
    return this.lifecycle.answeredAt !== undefined;
  }

  private get botFacts(): BotCallFacts {
    return {
      conversationId: this.conversationId,
      callee: this.req.target,
      ...(this.req.caller !== undefined && { caller: this.req.caller }),
      ...(this.req.metadata !== undefined && { metadata: this.req.metadata }),
    };
  }

  /** Places the call; never throws: every failure ends in end(). */
  start(): void {
    this.run().catch((err: unknown) => {
      this.log.error({ err }, 'call failed unexpectedly');
      this.abandon(err instanceof Error ? err.message : String(err));
    });
  }

  /** Ends the call because the daemon stops: CANCEL before the answer, BYE after it. */
  terminate(): void {
    this.end(endedByOutdial(this.answered, 'shutdown'));
  }

  /** Ends the call with an error that outdial cannot recover from (e.g. its SIP edge was lost). */
  abandon(detail: string): void {
    this.end(endedByOutdial(this.answered, 'error', detail));
  }

  private async run(): Promise<void> {
    const { req, services } = this;
    this.journal.save();
    if (req.bot.eventsUrl && req.bot.sendEventsToBot.includes('dialoutInitiated')) {
      services.botEvents.post(req.bot.eventsUrl, dialoutInitiatedEvent(this.botFacts));
    }
    let dialog;
    let target: InviteTarget | undefined = this.route ? this.callee.targetFor(this.route.first) : undefined;
    for (let first = true; ; first = false) {
      try {
        dialog = first ? await this.callee.connect(target) : await this.callee.inviteTarget(target!);
        break;
      } catch (err) {
        // Ended meanwhile (answer timeout, shutdown): the outcome is already fixed.
        if (this.lifecycle.isEnding || err instanceof InviteCancelled) return;
        // docs/trunks.md: a carrier failure moves the call to the next trunk, within the same answer timeout.
        const next = await this.failover(err);
        if (this.lifecycle.isEnding) return;
        if (next) {
          target = this.callee.targetFor(next);
          continue;
        }
        if (err instanceof InviteRejected) return this.end({ kind: 'sip-final', status: err.status, ...(err.reason !== undefined && { reason: err.reason }), ...err.signals });
        return this.end({ kind: 'not-answered', cause: 'error', detail: `INVITE failed: ${(err as Error).message}` });
      }
    }
    this.route?.trunks.answered();
    this.onAnswer(dialog);
  }

  /** The next trunk after a failed INVITE, when the failure is a carrier's and another trunk can take the call. */
  private async failover(err: unknown): Promise<TrunkInvite | undefined> {
    const route = this.route?.trunks;
    if (!route) return undefined;
    // An INVITE that could not even be sent is a transport error, as the stack's own 503 is.
    const failure =
      err instanceof InviteRejected
        ? { status: err.status, reason: err.reason ?? '', fromFarEnd: err.fromFarEnd }
        : { status: 503, reason: err instanceof Error ? err.message : String(err), fromFarEnd: false };
    const next = await route.failover(failure);
    if (next && !this.lifecycle.isEnding) {
      this.log.info({ failed: { trunk: route.attempts.at(-1)?.trunk, status: failure.status }, next: next.trunk.name }, 'trunk failover');
      this.onTrunk(next);
      this.journal.save();
    }
    return next;
  }

  /** The record names the trunk the INVITE goes through now, and the attempts before it. */
  private onTrunk(invite: TrunkInvite): void {
    this.record.trunk = invite.trunk.name;
    this.record.requestUri = invite.requestUri;
    const attempts = this.route?.trunks.attempts ?? [];
    if (attempts.length > 0) this.record.attempts = attempts.map((a) => ({ ...a }));
  }

  private onProvisional(status: number, sdp?: string): void {
    if (sdp !== undefined) this.listenEarly(sdp);
    const next: CallState | undefined = status === 180 ? 'ringing' : status === 183 ? 'early-media' : undefined;
    if (!next || next === this.lifecycle.state || !this.lifecycle.can(next)) return;
    const firstRing = this.lifecycle.ringingAt === undefined;
    const now = this.clock.now();
    this.lifecycle.to(next, now);
    if (firstRing) {
      this.record.ringingAt = new Date(now).toISOString();
      this.journal.save();
    }
  }

  /**
   * A 183 with SDP: the callee's audio before the answer. Special information tones there (an intercept), or a
   * recorded announcement with no ringback around it, end the call now instead of at the answer timeout;
   * ringback, music and silence keep it waiting (README, "Notifications"; docs/amd.md, "Early media").
   */
  private listenEarly(sdp: string): void {
    if (this.earlyMedia || this.lifecycle.isEnding) return;
    const media = this.callee.listenEarly(sdp);
    if (!media) return;
    const listener = new EarlyMediaListener();
    const onFrame = (pcm: Int16Array) => {
      const signal = listener.pushFrame(pcm);
      if (!signal) return;
      this.log.info({ atMs: signal.atMs, cause: signal.cause }, signal.cause === 'sit' ? 'special information tones in early media' : 'recorded announcement in early media');
      this.end({ kind: 'early-media', cause: signal.cause });
    };
    const onGap = (ms: number) => listener.pushGap(ms);
    media.on('frame', onFrame);
    media.on('gap', onGap);
    this.earlyMedia = () => {
      media.off('frame', onFrame);
      media.off('gap', onGap);
    };
  }

  private onAnswer(dialog: Parameters<CalleeLeg['answer']>[0]): void {
    this.stopEarlyMedia();
    const now = this.clock.now();
    this.lifecycle.to('answered', now);
    try {
      this.callee.answer(dialog);
    } catch (err) {
      this.log.warn({ err }, 'callee answered with unusable SDP');
      return this.end({ kind: 'ended', by: 'outdial', cause: 'error', detail: `unusable SDP answer: ${(err as Error).message}` });
    }
    const media = this.callee.media!;
    media.on('frame', (pcm) => this.level.add(pcm));
    this.record.answeredAt = new Date(now).toISOString();
    this.setDurations(now);
    this.journal.notify({ kind: 'answered' });
    this.rtp = new RtpReport(this.services.metrics, () => media.stats);
    const { req } = this;
    this.afterAnswer = new AnsweredCall(
      {
        media,
        answeredAt: now,
        machineDetection: req.machineDetection,
        amd: req.amd,
        voicemailEndTimeoutMs: req.voicemailEndTimeoutMs,
        bot: { sipUri: req.bot.sipUri, eventsUrl: req.bot.eventsUrl },
        botFacts: this.botFacts,
        rtp: this.rtp,
      },
      {
        lifecycle: this.lifecycle,
        record: this.record,
        journal: this.journal,
        services: this.services,
        legServices: this.legServices,
        clock: this.clock,
        log: this.log,
        end: (end) => this.end(end),
      },
    );
    this.afterAnswer.start();
  }

  private stopEarlyMedia(): void {
    this.earlyMedia?.();
    this.earlyMedia = () => undefined;
  }

  private setDurations(until: number): void {
    const start = this.callee.inviteSentAt ?? until;
    const answered = this.lifecycle.answeredAt ?? until;
    const ringing = this.lifecycle.ringingAt;
    this.record.connectDurationMs = Math.max(0, answered - start);
    this.record.ringDurationMs = ringing === undefined ? 0 : Math.max(0, answered - ringing);
  }

  /** The one way out: fixes the outcome, writes the final record and notification, tears every leg down. */
  end(end: CallEnd): void {
    if (this.lifecycle.isEnding) return;
    const now = this.clock.now();
    this.lifecycle.to('ending', now);
    this.stopEarlyMedia();
    this.afterAnswer?.stop();
    this.rtp = reportMedia(this.record, this.callee.media, this.level, this.services, this.rtp);
    const teardown = [this.callee.end(), ...(this.afterAnswer ? [this.afterAnswer.endBot()] : [])];
    this.setDurations(now);
    const route = this.route?.trunks;
    if (route) {
      // An INVITE still in flight ends with our CANCEL (answer timeout, shutdown) or with the daemon's error.
      if (end.kind === 'answer-timeout' || end.kind === 'early-media') route.ended(487, 'Request Terminated');
      else if (end.kind === 'not-answered') route.ended(end.cause === 'shutdown' ? 487 : 500, end.cause === 'shutdown' ? 'Request Terminated' : 'Server Internal Error');
      if (route.trunk !== undefined) this.record.trunk = route.trunk;
      this.record.attempts = route.attempts.map((a) => ({ ...a }));
      this.journal.write('trunk slot release', () => route.release());
    }
    this.journal.end(end, now);
    // Done once the CANCEL or BYEs are answered (or given up) and the store has everything: shutdown waits on this.
    closeWhenTornDown({ lifecycle: this.lifecycle, journal: this.journal }, this.clock, teardown, this.resolveDone);
  }
}
