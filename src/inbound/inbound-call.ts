// One call a dialer sent in (docs/inbound.md), from its INVITE to its final record. outdial answers as the
// user agent server, then runs the same answered call as an outbound one: AMD on the caller's audio with
// the route's machineDetection, the bot leg and the bridge, the liveness watch. Each AMD event goes to the
// route's actionHook through the journal (jambonz shape) and to the dialer as an in-dialog INFO. Every way
// out goes through end(), once.

import { SipCall, type CallServices, type FarLeg, type UasLeg } from '../calls/index.js';
import { systemClock, type AmdEvent, type CallRecord } from '../domain/index.js';
import { voicemailEndTimeoutSec, type AmdSettings } from '../dialout/index.js';
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

export class InboundCall extends SipCall {
  constructor(
    private readonly route: InboundRoute,
    private readonly facts: InboundFacts,
    /** The dialer's leg; answered by start(). */
    private readonly caller: UasLeg,
    services: CallServices,
  ) {
    super(
      inboundCallRecord(route, facts, (services.clock ?? systemClock).now()),
      services,
      services.logger.child({ conversationId: facts.conversationId, route: route.name }),
      { url: route.config.actionHook, headers: {} },
    );
    caller.onGone((cause) => this.end({ kind: 'ended', by: cause === 'session-expired' ? 'session-timer' : 'callee' }));
    caller.onCancel(() => this.end({ kind: 'not-answered', cause: 'error', detail: 'the dialer CANCELled the INVITE' }));
  }

  protected get farLeg(): FarLeg {
    return this.caller;
  }

  protected async run(): Promise<void> {
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
    this.record.answeredAt = new Date(now).toISOString();
    this.record.connectDurationMs = 0;
    this.record.ringDurationMs = 0;
    this.journal.save();
    const bot = this.route.bot;
    this.startAnswered(
      this.caller.media!,
      {
        answeredAt: now,
        machineDetection: this.route.config.machineDetection,
        amd: this.facts.amd,
        voicemailEndTimeoutMs: voicemailEndTimeoutSec.default * 1000,
        bot: bot && { sipUri: bot.sipUri, eventsUrl: bot.eventsUrl },
        botFacts: { conversationId: this.conversationId, callee: this.facts.requestUri, caller: this.facts.caller },
      },
      { onAmdEvent: (event) => this.tellDialer(event) },
    );
  }

  /** The dialer hears each AMD event in its dialog too, for those without an HTTP server. */
  private tellDialer(event: AmdEvent): void {
    this.caller.info(JSON.stringify(jambonzAmdPayload(this.record, event)));
  }
}
