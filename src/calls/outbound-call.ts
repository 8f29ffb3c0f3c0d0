// One outbound call, from the INVITE to the trunk until its final notification. The call's life is the
// table in call-state.ts; this class wires the concerns that move it: the callee leg, the answered call
// (liveness, AMD on the callee's audio, the bot leg and the bridge: answered-call.ts), and the journal that
// records and notifies. Every way out goes through end(), once; `ending` lasts until every leg is torn down.

import { systemClock } from '../domain/index.js';
import type { DialoutRequest, TargetAddresses } from '../dialout/index.js';
import { hopUri, type SipHop } from '../dns/index.js';
import { EarlyMediaListener } from '../amd/early-media.js';
import { dialoutInitiatedEvent, type BotCallFacts } from './bot-events.js';
import { newCallRecord } from './call-journal.js';
import type { CallState } from './call-state.js';
import { CalleeLeg } from './callee-leg.js';
import type { CallEnd } from './outcome.js';
import type { CallServices } from './call-services.js';
import { SipCall, type FarLeg } from './sip-call.js';
import { InviteCancelled, InviteRejected, type InviteTarget } from './uac-leg.js';
import { classifyFailure, type AttemptFailureFacts, type TrunkInvite, type TrunkRoute } from '../trunks/index.js';

export class OutboundCall extends SipCall {
  private readonly callee: CalleeLeg;
  /** Stops listening to early media; set while a 183's audio is heard. */
  private earlyMedia: (() => void) | undefined;
  /** The addresses of a sip: target's host not tried yet (RFC 3263), each allowed by the account's policy. */
  private readonly hopsLeft: SipHop[];

  constructor(
    readonly req: DialoutRequest,
    services: CallServices,
    /** The trunks the call goes out through, started (first trunk admitted) by the launcher; none for a sip: target sent to its own host. */
    private readonly route?: { trunks: TrunkRoute; first: TrunkInvite },
    /** Where a sip: target sent to its own host is tried, when its host is a name (src/dialout/target-address.ts). */
    private readonly direct?: TargetAddresses,
  ) {
    super(newCallRecord(req, (services.clock ?? systemClock).now()), services, services.logger.child({ conversationId: req.conversationId }), {
      url: req.notifyUrl,
      headers: req.notifyHeaders ?? {},
    });
    if (route) this.onTrunk(route.first);
    this.hopsLeft = [...(direct?.hops ?? [])];
    this.callee = new CalleeLeg(this.legServices, req, services.localHost, {
      onProvisional: (status, sdp) => this.onProvisional(status, sdp),
      onAnswerTimeout: () => this.end({ kind: 'answer-timeout' }),
    }, services.config.sip.sessionExpiresSec);
    this.callee.onGone((cause) => this.end({ kind: 'ended', by: cause === 'session-expired' ? 'session-timer' : 'callee' }));
  }

  protected get farLeg(): FarLeg {
    return this.callee;
  }

  private get botFacts(): BotCallFacts {
    return {
      conversationId: this.conversationId,
      callee: this.req.target,
      ...(this.req.caller !== undefined && { caller: this.req.caller }),
      ...(this.req.metadata !== undefined && { metadata: this.req.metadata }),
    };
  }

  protected async run(): Promise<void> {
    const { req, services } = this;
    this.journal.save();
    if (req.bot.eventsUrl && req.bot.sendEventsToBot.includes('dialoutInitiated')) {
      services.botEvents.post(req.bot.eventsUrl, dialoutInitiatedEvent(this.botFacts));
    }
    let dialog;
    if (this.direct && this.hopsLeft.length === 0) {
      return this.end({ kind: 'not-answered', cause: 'error', detail: `INVITE not sent: target host ${this.direct.host} has no address (no SRV, A or AAAA record)` });
    }
    let target: InviteTarget | undefined = this.route ? this.callee.targetFor(this.route.first) : this.nextAddress();
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
          target = next;
          continue;
        }
        // A sip: target's own host has no trunk attempts to keep why its last address could not be reached (a
        // TLS certificate refused, a connection failed): the stack's own 503 is no answer, its reason is the call's.
        if (this.direct && err instanceof InviteRejected && !err.fromFarEnd && err.status === 503) {
          return this.end({ kind: 'not-answered', cause: 'error', detail: `INVITE to ${this.direct.host} failed: ${err.reason ?? 'Service Unavailable'}` });
        }
        if (err instanceof InviteRejected) return this.end({ kind: 'sip-final', status: err.status, ...(err.reason !== undefined && { reason: err.reason }), ...err.signals });
        return this.end({ kind: 'not-answered', cause: 'error', detail: `INVITE failed: ${(err as Error).message}` });
      }
    }
    this.route?.trunks.answered();
    this.onAnswer(dialog);
  }

  /**
   * Where the INVITE goes after a failed one: the target's next address, or the next trunk when the failure is
   * a carrier's and another trunk can take the call.
   */
  private async failover(err: unknown): Promise<InviteTarget | undefined> {
    // An INVITE that could not even be sent is a transport error, as the stack's own 503 is.
    const failure: AttemptFailureFacts =
      err instanceof InviteRejected
        ? { status: err.status, reason: err.reason ?? '', fromFarEnd: err.fromFarEnd }
        : { status: 503, reason: err instanceof Error ? err.message : String(err), fromFarEnd: false };
    const route = this.route?.trunks;
    if (!route) return this.afterAddress(failure);
    const next = await route.failover(failure);
    if (next && !this.lifecycle.isEnding) {
      this.log.info({ failed: { trunk: route.attempts.at(-1)?.trunk, status: failure.status }, next: next.trunk.name }, 'trunk failover');
      this.onTrunk(next);
      this.journal.save();
      return this.callee.targetFor(next);
    }
    return undefined;
  }

  /** The INVITE to the target's next address; undefined when the target is not resolved by outdial or none is left. */
  private nextAddress(): InviteTarget | undefined {
    const hop = this.hopsLeft.shift();
    return hop && { ...this.callee.firstTarget(), proxy: hopUri(hop) };
  }

  /** RFC 3263 §4.3, as for a trunk's addresses: no response, a transport error or a 503 moves on to the next address. */
  private afterAddress(failure: AttemptFailureFacts): InviteTarget | undefined {
    const kind = classifyFailure(failure.status, failure.fromFarEnd);
    if (kind.kind === 'status' && failure.status !== 503) return undefined;
    const next = this.nextAddress();
    if (next) this.log.info({ failed: { status: failure.status, reason: failure.reason }, next: next.proxy }, 'target address failed, trying the next one');
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
    this.record.answeredAt = new Date(now).toISOString();
    this.setDurations(now);
    this.journal.notify({ kind: 'answered' });
    const { req } = this;
    this.startAnswered(this.callee.media!, {
      answeredAt: now,
      machineDetection: req.machineDetection,
      amd: req.amd,
      voicemailEndTimeoutMs: req.voicemailEndTimeoutMs,
      bot: { sipUri: req.bot.sipUri, eventsUrl: req.bot.eventsUrl },
      botFacts: this.botFacts,
    });
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

  /** Early media stops; the trunk route learns how an INVITE still in flight ended, and gives its slot back. */
  protected override onEnding(end: CallEnd, now: number): void {
    this.stopEarlyMedia();
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
  }
}
