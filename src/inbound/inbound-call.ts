// One call a dialer sent in (docs/inbound.md), from its INVITE to its final record. outdial answers as the
// user agent server, then runs the same answered call as an outbound one: AMD on the caller's audio with
// the route's machineDetection, the bot leg and the bridge, the liveness watch. Each AMD event goes to the
// route's actionHook through the journal (jambonz shape) and to the dialer as an in-dialog INFO. Every way
// out goes through end(), once.

import {
  AnsweredCall,
  AudioLevel,
  callParts,
  closeWhenTornDown,
  endedByOutdial,
  reportMedia,
  RtpReport,
  type CallJournal,
  type CallLifecycle,
  type CallEnd,
  type CallServices,
  type CallState,
  type UacLegServices,
  type UasLeg,
} from '../calls/index.js';
import { systemClock, type AmdEvent, type CallRecord, type Clock } from '../domain/index.js';
import { voicemailEndTimeoutSec, type AmdSettings } from '../dialout/index.js';
import type { Logger } from '../log/index.js';
import { jambonzAmdPayload } from '../notify/index.js';
import type { InboundRoute } from './routes.js';

/** What the INVITE told about the call. */
export interface InboundFacts {
  conversationId: string;
  /** The INVITE's SIP Call-ID. */
  callId: string;
  /** The Request-URI. */
  requestUri: string;
  /** The From user (or URI when it has none). */
  caller: string;
  /** The route's AMD settings with the INVITE's X-AMD-* headers over them. */
  amd: AmdSettings;
}

/** The record of an inbound call just accepted. */
export function inboundCallRecord(route: InboundRoute, facts: InboundFacts, now: number): CallRecord {
  return {
    conversationId: facts.conversationId,
    dialect: 'jambonz',
    callId: facts.callId,
    clientId: '',
    bot: route.bot?.name ?? '',
    account: route.bot?.account ?? '',
    route: route.name,
    target: facts.requestUri,
    requestUri: facts.requestUri,
    caller: facts.caller,
    status: 'initiated',
    createdAt: new Date(now).toISOString(),
    machineDetection: route.config.machineDetection,
    amdEvents: [],
    notifyUrl: route.config.actionHook,
    notificationsQueued: 0,
  };
}

export class InboundCall {
  readonly conversationId: string;
  readonly record: CallRecord;
  readonly done: Promise<void>;

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly lifecycle: CallLifecycle;
  private readonly journal: CallJournal;
  private readonly legServices: UacLegServices;
  private readonly level = new AudioLevel();
  private afterAnswer: AnsweredCall | undefined;
  private rtp: RtpReport | undefined;
  private resolveDone!: () => void;

  constructor(
    private readonly route: InboundRoute,
    private readonly facts: InboundFacts,
    /** The dialer's leg; answered by start(). */
    private readonly caller: UasLeg,
    private readonly services: CallServices,
  ) {
    this.conversationId = facts.conversationId;
    this.clock = services.clock ?? systemClock;
    this.log = services.logger.child({ conversationId: facts.conversationId, route: route.name });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.record = inboundCallRecord(route, facts, this.clock.now());
    ({ lifecycle: this.lifecycle, journal: this.journal, legServices: this.legServices } = callParts(this.record, services, this.clock, this.log, {
      url: route.config.actionHook,
      headers: {},
    }));
    caller.onGone((cause) => this.end({ kind: 'ended', by: cause === 'session-expired' ? 'session-timer' : 'callee' }));
    caller.onCancel(() => this.end({ kind: 'not-answered', cause: 'error', detail: 'the dialer CANCELled the INVITE' }));
  }

  get currentState(): CallState {
    return this.lifecycle.state;
  }

  get isFinished(): boolean {
    return this.lifecycle.isEnding;
  }

  private get answered(): boolean {
    return this.lifecycle.answeredAt !== undefined;
  }

  /** Answers the INVITE; never throws: every failure ends in end(). */
  start(): void {
    this.run().catch((err: unknown) => {
      this.log.error({ err }, 'inbound call failed unexpectedly');
      this.abandon(err instanceof Error ? err.message : String(err));
    });
  }

  terminate(): void {
    this.end(endedByOutdial(this.answered, 'shutdown'));
  }

  abandon(detail: string): void {
    this.end(endedByOutdial(this.answered, 'error', detail));
  }

  private async run(): Promise<void> {
    this.journal.save();
    try {
      await this.caller.answer({ 'X-Conversation-Id': this.conversationId });
    } catch (err) {
      if (this.lifecycle.isEnding) return;
      return this.end({ kind: 'not-answered', cause: 'error', detail: (err as Error).message });
    }
    if (this.lifecycle.isEnding) return;
    this.onAnswer();
  }

  private onAnswer(): void {
    const now = this.clock.now();
    this.lifecycle.to('answered', now);
    const media = this.caller.media!;
    media.on('frame', (pcm) => this.level.add(pcm));
    this.record.answeredAt = new Date(now).toISOString();
    this.record.connectDurationMs = 0;
    this.record.ringDurationMs = 0;
    this.journal.save();
    this.rtp = new RtpReport(this.services.metrics, () => media.stats);
    const bot = this.route.bot;
    this.afterAnswer = new AnsweredCall(
      {
        media,
        answeredAt: now,
        machineDetection: this.route.config.machineDetection,
        amd: this.facts.amd,
        voicemailEndTimeoutMs: voicemailEndTimeoutSec.default * 1000,
        bot: bot && { sipUri: bot.sipUri, eventsUrl: bot.eventsUrl },
        botFacts: { conversationId: this.conversationId, callee: this.facts.requestUri, caller: this.facts.caller },
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
        onAmdEvent: (event) => this.tellDialer(event),
      },
    );
    this.afterAnswer.start();
  }

  /** The dialer hears each AMD event in its dialog too, for those without an HTTP server. */
  private tellDialer(event: AmdEvent): void {
    this.caller.info(JSON.stringify(jambonzAmdPayload(this.record, event)));
  }

  end(end: CallEnd): void {
    if (this.lifecycle.isEnding) return;
    const now = this.clock.now();
    this.lifecycle.to('ending', now);
    this.afterAnswer?.stop();
    this.rtp = reportMedia(this.record, this.caller.media, this.level, this.services, this.rtp);
    const teardown = [this.caller.end(), ...(this.afterAnswer ? [this.afterAnswer.endBot()] : [])];
    this.journal.end(end, now);
    closeWhenTornDown({ lifecycle: this.lifecycle, journal: this.journal }, this.clock, teardown, this.resolveDone);
  }
}
