// One outbound call, from the INVITE to the trunk until its final notification: the callee leg, AMD on the
// callee's audio, the machineDetection policy, the bot leg and the relay between them. Every change of
// state goes through the state machine in state.ts; every way out goes through finish(), exactly once.

import { randomUUID } from 'node:crypto';
import type Srf from 'drachtio-srf';
import { AmdEngine, type AmdEvent } from '../amd/index.js';
import type { Config } from '../config/index.js';
import type { DialoutRequest } from '../dialout/index.js';
import type { Logger } from '../log/index.js';
import { buildOffer, parseAnswer, RtpEndpoint, RtpRelay, type RtpPortPool } from '../media/index.js';
import type { Metrics } from '../metrics/index.js';
import { amdInfoOf, notificationFor, type NotificationEvent, type Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import { BotLeg } from './bot-leg.js';
import type { BotEventPoster } from './bot-event-poster.js';
import { dialoutInitiatedEvent, machineDetectionEvent, type BotCallFacts, type BotEvent } from './bot-events.js';
import { callOutcome, type CallEnd } from './outcome.js';
import { AudioLevel } from './audio-level.js';
import { sendBye } from './bye.js';
import { OrderedWrites } from './persist.js';
import { uacProgress } from './uac-progress.js';
import { actionFor, voicemailOutcome, voicemailTimeoutAction, type PolicyAction, type PolicyContext } from './policy.js';
import type { CallRecord } from '../domain/index.js';
import { isFinal, nextState, type CallEvent, type CallState } from './state.js';

/** What every call shares with the daemon. */
export interface CallServices {
  srf: Srf;
  pool: RtpPortPool;
  store: Store;
  notifier: Notifier;
  metrics: Metrics;
  logger: Logger;
  config: Config;
  botEvents: BotEventPoster;
  /** How long the bot may take to answer before the call ends with an error. */
  botAnswerTimeoutMs: number;
  /** After a CANCEL, how long to wait for the far end's final response before giving up on it. */
  cancelGraceMs: number;
  /** This daemon's id in the store: a call's writes stop once another daemon has taken the call over. */
  owner: string;
}

const decisionTypes = new Set(['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout']);

/** A sip error from drachtio-srf: a final non-2xx response. */
function sipStatusOf(err: unknown): { status: number; reason?: string } | undefined {
  const e = err as { status?: unknown; reason?: unknown } | null;
  if (e && typeof e.status === 'number' && e.status >= 300) {
    return { status: e.status, ...(typeof e.reason === 'string' && { reason: e.reason }) };
  }
  return undefined;
}

/** The event as the record keeps it: a copy, so the engine's objects are never shared. */
function amdRecord(event: AmdEvent): AmdEvent {
  return { ...event };
}

export class OutboundCall {
  readonly conversationId: string;
  readonly record: CallRecord;
  /** Resolves once the final notification is queued and the call's resources are released. */
  readonly done: Promise<void>;

  private state: CallState = 'admitted';
  private readonly log: Logger;
  private readonly writes: OrderedWrites;
  private resolveDone!: () => void;

  private calleeMedia: RtpEndpoint | undefined;
  private callee: Srf.Dialog | undefined;
  private invite: Srf.SrfRequest | undefined;
  private inviteSentAt = 0;
  private ringingAt: number | undefined;
  private answeredAt: number | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;
  private cancelCause: 'answer-timeout' | 'shutdown' | undefined;

  private engine: AmdEngine | undefined;
  private policy: PolicyContext;
  private voicemailSinceMs: number | undefined;
  private decisionSoFar: string;
  private bot: BotLeg | undefined;
  private relay: RtpRelay | undefined;
  private readonly botQueue: BotEvent[] = [];
  private finished = false;
  private ownershipLost = false;
  private readonly level = new AudioLevel();
  /** RTP counts already added to the metrics; they move while the call is up, not only when it ends. */
  private rtpReported = { received: 0, lost: 0 };
  private rtpMetricsTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly req: DialoutRequest,
    private readonly services: CallServices,
  ) {
    this.conversationId = req.conversationId;
    this.log = services.logger.child({ conversationId: req.conversationId });
    this.writes = new OrderedWrites(this.log);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.policy = {
      mode: req.machineDetection,
      onUndecided: services.config.calls.onUndecided,
      bridged: false,
      voicemail: false,
      promptEnded: false,
    };
    this.decisionSoFar = req.machineDetection === 'disabled' ? 'disabled' : 'none';
    this.record = {
      conversationId: req.conversationId,
      dialect: req.dialect,
      ...(req.sid !== undefined && { sid: req.sid }),
      ...(req.callId !== undefined && { callId: req.callId }),
      clientId: req.clientId,
      bot: req.bot.name,
      account: req.account.name,
      ...(req.trunk && { trunk: req.trunk.name }),
      target: req.target,
      requestUri: req.requestUri,
      ...(req.caller !== undefined && { caller: req.caller }),
      status: 'initiated',
      createdAt: new Date().toISOString(),
      machineDetection: req.machineDetection,
      amdEvents: [],
      ...(req.amdEventsSubscription !== undefined && { amdEventsSubscription: req.amdEventsSubscription }),
      ...(req.notifyUrl !== undefined && { notifyUrl: req.notifyUrl }),
      notificationsQueued: 0,
    };
  }

  get currentState(): CallState {
    return this.state;
  }

  /** True from the moment the call's outcome is fixed, while its BYEs and writes may still be in flight. */
  get isFinished(): boolean {
    return this.finished;
  }

  private get botFacts(): BotCallFacts {
    return {
      conversationId: this.conversationId,
      callee: this.req.target,
      ...(this.req.caller !== undefined && { caller: this.req.caller }),
      ...(this.req.metadata !== undefined && { metadata: this.req.metadata }),
    };
  }

  private move(event: CallEvent): boolean {
    const next = nextState(this.state, event);
    if (!next) {
      this.log.debug({ state: this.state, event }, 'event ignored in this state');
      return false;
    }
    this.state = next;
    return true;
  }

  /** Places the call; never throws: every failure ends in finish(). */
  start(): void {
    this.run().catch((err: Error) => {
      this.log.error({ err }, 'call failed unexpectedly');
      this.finish(this.answeredAt === undefined ? { kind: 'not-answered', cause: 'error', detail: err.message } : { kind: 'ended', by: 'outdial', cause: 'error', detail: err.message });
    });
  }

  /** Ends the call because the daemon stops: CANCEL before the answer, BYE after it. */
  terminate(): void {
    if (this.finished) return;
    if (this.answeredAt === undefined) this.cancel('shutdown');
    else this.finish({ kind: 'ended', by: 'outdial', cause: 'shutdown' });
  }

  private async run(): Promise<void> {
    const { req, services } = this;
    this.persist();
    if (req.bot.eventsUrl && req.bot.sendEventsToBot.includes('dialoutInitiated')) {
      services.botEvents.post(req.bot.eventsUrl, dialoutInitiatedEvent(this.botFacts));
    }
    const media = await RtpEndpoint.open(services.pool, { logger: this.log });
    if (this.finished) {
      media.close();
      return;
    }
    this.calleeMedia = media;
    const localSdp = buildOffer({ address: services.pool.host, port: this.calleeMedia.localPort });

    this.answerTimer = setTimeout(() => this.cancel('answer-timeout'), req.answerTimeoutMs);
    this.move('invite-sent');
    this.inviteSentAt = Date.now();
    let dialog: Srf.Dialog;
    try {
      dialog = await services.srf.createUAC(
        req.requestUri,
        {
          localSdp,
          headers: this.inviteHeaders(),
          ...(req.trunk?.auth && { auth: { username: req.trunk.auth.username, password: req.trunk.auth.password } }),
        },
        uacProgress({
          onRequest: (sent) => {
            this.invite = sent;
            // A CANCEL asked for before the INVITE left could not be sent then.
            if (this.cancelCause) this.sendCancel();
          },
          onProvisional: (res) => this.onProvisional(res.status),
        }),
      );
    } catch (err) {
      clearTimeout(this.answerTimer);
      const sip = sipStatusOf(err);
      if (this.cancelCause === 'answer-timeout') return this.finish({ kind: 'answer-timeout' });
      if (this.cancelCause === 'shutdown') return this.finish({ kind: 'not-answered', cause: 'shutdown' });
      if (sip) return this.finish({ kind: 'sip-final', status: sip.status, ...(sip.reason !== undefined && { reason: sip.reason }) });
      return this.finish({ kind: 'not-answered', cause: 'error', detail: `INVITE failed: ${(err as Error).message}` });
    }
    clearTimeout(this.answerTimer);
    if (this.finished || this.cancelCause) {
      // The 200 crossed our CANCEL (or the call was given up meanwhile): the callee is connected, so BYE.
      dialog.destroy();
      if (!this.finished) this.finish(this.cancelCause === 'answer-timeout' ? { kind: 'answer-timeout' } : { kind: 'not-answered', cause: 'shutdown' });
      return;
    }
    this.onAnswer(dialog);
  }

  private inviteHeaders(): Record<string, string> {
    const { req } = this;
    const headers: Record<string, string> = {};
    if (req.caller !== undefined) {
      const host = req.callerHost ?? this.services.pool.host;
      const display = req.callerDisplayName ? `"${req.callerDisplayName.replace(/["\\]/g, '')}" ` : '';
      headers.From = `${display}<sip:${req.caller}@${host}>`;
    }
    if (req.callId !== undefined) headers['Call-ID'] = req.callId;
    headers['X-Conversation-Id'] = req.conversationId;
    return headers;
  }

  private onProvisional(status: number): void {
    if (status !== 180 && status !== 183) return;
    if (!this.move('provisional')) return;
    if (this.ringingAt === undefined) {
      this.ringingAt = Date.now();
      this.record.status = 'ringing';
      this.record.ringingAt = new Date(this.ringingAt).toISOString();
      this.persist();
    }
  }

  private cancel(cause: 'answer-timeout' | 'shutdown'): void {
    if (this.finished || this.answeredAt !== undefined || this.cancelCause) return;
    this.cancelCause = cause;
    clearTimeout(this.answerTimer);
    if (this.state === 'admitted') {
      // Not sent yet: nothing to CANCEL on the wire.
      return this.finish(cause === 'answer-timeout' ? { kind: 'answer-timeout' } : { kind: 'not-answered', cause: 'shutdown' });
    }
    if (this.invite) this.sendCancel();
    // A far end that never answers the CANCEL must not keep the call (and its notification) open.
    this.cancelTimer = setTimeout(() => {
      this.finish(cause === 'answer-timeout' ? { kind: 'answer-timeout' } : { kind: 'not-answered', cause: 'shutdown' });
    }, this.services.cancelGraceMs);
  }

  private sendCancel(): void {
    try {
      this.invite?.cancel(() => undefined);
    } catch (err) {
      this.log.warn({ err }, 'CANCEL could not be sent');
    }
  }

  private durations(until: number): void {
    const start = this.inviteSentAt || until;
    const answered = this.answeredAt ?? until;
    this.record.connectDurationMs = Math.max(0, answered - start);
    this.record.ringDurationMs = this.ringingAt === undefined ? 0 : Math.max(0, answered - this.ringingAt);
  }

  private onAnswer(dialog: Srf.Dialog): void {
    this.callee = dialog;
    this.answeredAt = Date.now();
    this.move('answer');
    dialog.on('destroy', () => {
      this.callee = undefined;
      this.finish({ kind: 'ended', by: 'callee' });
    });
    try {
      this.calleeMedia!.setRemote(parseAnswer(dialog.remote.sdp));
    } catch (err) {
      this.log.warn({ err }, 'callee answered with unusable SDP');
      return this.finish({ kind: 'ended', by: 'outdial', cause: 'error', detail: `unusable SDP answer: ${(err as Error).message}` });
    }
    this.calleeMedia!.start();
    this.calleeMedia!.on('frame', (pcm) => this.level.add(pcm));
    this.record.status = 'answered';
    this.record.answeredAt = new Date(this.answeredAt).toISOString();
    this.durations(this.answeredAt);
    this.notify({ kind: 'answered' });
    this.services.metrics.rtpPacketsReceived.inc(0);
    this.rtpMetricsTimer = setInterval(() => {
      this.reportRtp();
      this.checkLiveness();
    }, 1000);
    this.rtpMetricsTimer.unref();

    if (this.req.machineDetection === 'disabled') {
      this.bridge(false);
      return;
    }
    this.engine = new AmdEngine(this.req.amd, 8000);
    const media = this.calleeMedia!;
    media.on('frame', this.onAmdFrame);
    media.on('gap', this.onAmdGap);
  }

  private readonly onAmdFrame = (pcm: Int16Array): void => this.onAmdEvents(this.engine?.pushFrame(pcm));
  private readonly onAmdGap = (ms: number): void => this.onAmdEvents(this.engine?.pushGap(ms));

  private onAmdEvents(events: AmdEvent[] | undefined): void {
    if (!events || this.finished) return;
    for (const event of events) {
      this.onAmdEvent(event);
      if (this.finished) return;
    }
    this.checkVoicemailTimeout();
  }

  private onAmdEvent(event: AmdEvent): void {
    const rec = amdRecord(event);
    this.record.amdEvents.push(rec);
    if (decisionTypes.has(event.type) && !this.record.amdEvents.slice(0, -1).some((e) => decisionTypes.has(e.type))) {
      this.decisionSoFar = event.type;
      this.services.metrics.amdDecisions.inc({ type: event.type });
      this.services.metrics.amdDecisionLatencyMs.observe(event.atMs);
    }
    this.log.info({ amd: rec }, 'amd event');
    this.notify({ kind: 'amd', event: rec });
    this.apply(
      actionFor(
        event.type === 'amd_machine_detected' ? { type: event.type, reason: event.reason } : ({ type: event.type } as Exclude<Parameters<typeof actionFor>[0], { type: 'amd_machine_detected' }>),
        this.policy,
      ),
    );
    if (this.engine && !this.finished) this.maybeStopAmd(event);
  }

  /** AMD runs until it has nothing more to tell this call. */
  private maybeStopAmd(event: AmdEvent): void {
    const t = event.type;
    const listeningForBeep = this.req.machineDetection === 'detect' && this.policy.voicemail;
    if (t === 'amd_stopped') return;
    if (listeningForBeep) {
      if (this.policy.promptEnded && (t === 'amd_machine_stopped_speaking' || t === 'amd_tone_detected')) {
        if (t === 'amd_machine_stopped_speaking') this.stopAmd();
      }
      return;
    }
    if (decisionTypes.has(t) || t === 'amd_error') this.stopAmd();
  }

  private stopAmd(): void {
    const engine = this.engine;
    if (!engine) return;
    this.engine = undefined;
    // Only AMD stops listening: the audio level for the call record keeps counting.
    this.calleeMedia?.off('frame', this.onAmdFrame);
    this.calleeMedia?.off('gap', this.onAmdGap);
    for (const event of engine.stop()) {
      const rec = amdRecord(event);
      this.record.amdEvents.push(rec);
      this.notify({ kind: 'amd', event: rec });
    }
  }

  private checkVoicemailTimeout(): void {
    if (!this.engine || this.voicemailSinceMs === undefined || this.policy.promptEnded) return;
    if (this.engine.offsetMs - this.voicemailSinceMs >= this.req.voicemailEndTimeoutMs) {
      this.apply(voicemailTimeoutAction(this.policy));
    }
  }

  private apply(action: PolicyAction): void {
    switch (action.action) {
      case 'none':
        return;
      case 'hangup':
        this.record.machineDetected = true;
        return this.finish({ kind: 'ended', by: 'outdial', cause: action.cause });
      case 'bridge':
        if (action.voicemail) {
          this.policy.voicemail = true;
          this.voicemailSinceMs = this.engine?.offsetMs ?? 0;
          this.sendToBot(machineDetectionEvent(this.conversationId, 'voicemail-prompt-start'));
        }
        return this.bridge(action.voicemail);
      case 'voicemail-prompt-end':
        this.policy.promptEnded = true;
        this.record.voicemailOutcome = voicemailOutcome(action.by);
        this.persist();
        this.sendToBot(machineDetectionEvent(this.conversationId, 'voicemail-prompt-end-beep'));
        return;
    }
  }

  /** Bot events wait until the bot leg is up; the start event always goes first. */
  private sendToBot(event: BotEvent): void {
    if (this.bot?.connected) this.bot.send(event);
    else this.botQueue.push(event);
  }

  private bridge(_voicemail: boolean): void {
    if (this.bot || !this.move('bridge')) return;
    this.policy.bridged = true;
    const { services, req } = this;
    this.bot = new BotLeg({
      srf: services.srf,
      pool: services.pool,
      uri: req.bot.sipUri,
      facts: this.botFacts,
      machineDetection: this.decisionSoFar,
      eventsUrl: req.bot.eventsUrl,
      poster: services.botEvents,
      answerTimeoutMs: services.botAnswerTimeoutMs,
      logger: this.log,
    });
    this.bot
      .connect()
      .then((botMedia) => {
        if (this.finished) return;
        this.move('bot-answer');
        this.relay = new RtpRelay(this.calleeMedia!, botMedia);
        this.bot!.onBye(() => this.finish({ kind: 'ended', by: 'bot' }));
        for (const event of this.botQueue.splice(0)) this.bot!.send(event);
      })
      .catch((err: Error) => {
        this.log.warn({ err: err.message }, 'bot leg failed');
        this.finish({ kind: 'ended', by: 'outdial', cause: 'error', detail: `bot did not answer: ${err.message}` });
      });
  }

  private notify(event: NotificationEvent): void {
    this.persist(event.kind === 'final');
    const url = this.req.notifyUrl;
    if (!url) return;
    const body = notificationFor(this.record, event);
    if (!body) return;
    this.record.notificationsQueued++;
    const headers = this.req.notifyHeaders ?? {};
    const entryKey = randomUUID();
    this.writes.enqueue(`notification ${event.kind}`, async () => {
      if (await this.stillOwned()) await this.services.notifier.notify(this.conversationId, url, body, headers, entryKey);
    });
  }

  /**
   * Whether this daemon still owns the call in a shared store. A daemon cut off from Redis longer than its
   * heartbeat lasts is taken for dead and its calls are finished by another; its own late writes would
   * then send a second final notification.
   */
  private async stillOwned(): Promise<boolean> {
    if (this.ownershipLost) return false;
    const { store, owner } = this.services;
    const active = await store.activeCall(this.conversationId);
    if (active?.owner === owner) return true;
    // No entry at all is also what a Redis restarted without persistence looks like: only a record marked
    // by the daemon that took the call over means it is someone else's now.
    const takenBy = active?.owner ?? (await store.getCall(this.conversationId))?.takenOverBy;
    if (takenBy === undefined || takenBy === owner) return true;
    this.ownershipLost = true;
    this.log.warn({ takenBy }, 'another daemon finished this call while this one was cut off from the store; no more writes for it');
    return false;
  }

  /** Adds the callee's RTP counts since the last report to the daemon's counters. */
  /** Ends a call whose callee or bot stopped sending RTP (a BYE may be lost) or that outlived maxCallDurationSec. */
  private checkLiveness(): void {
    if (this.finished || this.answeredAt === undefined || !this.calleeMedia) return;
    const { rtpTimeoutSec, maxCallDurationSec } = this.services.config.calls;
    const now = Date.now();
    if (maxCallDurationSec > 0 && now - this.answeredAt >= maxCallDurationSec * 1000) {
      return this.finish({ kind: 'ended', by: 'outdial', cause: 'error', detail: `call exceeded maxCallDurationSec (${maxCallDurationSec} s)` });
    }
    if (rtpTimeoutSec <= 0) return;
    const last = this.calleeMedia.stats.lastArrivalAt ?? this.answeredAt;
    if (now - last >= rtpTimeoutSec * 1000) {
      return this.finish({ kind: 'ended', by: 'outdial', cause: 'error', detail: `no RTP from the callee for ${rtpTimeoutSec} s` });
    }
    // A bot that vanished without a BYE would otherwise leave the callee connected to nobody.
    const botLast = this.bot?.lastRtpAt;
    if (botLast !== undefined && now - botLast >= rtpTimeoutSec * 1000) {
      this.finish({ kind: 'ended', by: 'outdial', cause: 'error', detail: `no RTP from the bot for ${rtpTimeoutSec} s` });
    }
  }

  private reportRtp(): void {
    if (!this.calleeMedia) return;
    const { packetsReceived, packetsLost } = this.calleeMedia.stats;
    this.services.metrics.rtpPacketsReceived.inc(Math.max(0, packetsReceived - this.rtpReported.received));
    // A late packet can lower the loss count; a counter only goes up, so only increases are added.
    if (packetsLost > this.rtpReported.lost) this.services.metrics.rtpPacketsLost.inc(packetsLost - this.rtpReported.lost);
    this.rtpReported = { received: Math.max(packetsReceived, this.rtpReported.received), lost: Math.max(packetsLost, this.rtpReported.lost) };
  }

  private persist(checkOwner = false): void {
    const snapshot = structuredClone(this.record);
    this.writes.enqueue('call record', async () => {
      if (checkOwner ? await this.stillOwned() : !this.ownershipLost) await this.services.store.putCall(snapshot);
    });
  }

  /** The one way out: releases everything, writes the final record and queues the final notification. */
  finish(end: CallEnd): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.answerTimer);
    clearTimeout(this.cancelTimer);
    clearInterval(this.rtpMetricsTimer);
    const now = Date.now();

    this.stopAmd();
    this.relay?.stop();
    const byCallee = end.kind === 'ended' && end.by === 'callee';
    const byBot = end.kind === 'ended' && end.by === 'bot';
    const teardown: Promise<void>[] = [];
    if (this.callee && !byCallee) {
      this.callee.removeAllListeners('destroy');
      teardown.push(sendBye(this.callee));
    }
    this.callee = undefined;
    if (this.bot) teardown.push(this.bot.end(!byBot));
    if (this.calleeMedia) {
      const stats = this.calleeMedia.stats;
      this.reportRtp();
      this.record.media = {
        ...(this.calleeMedia.media && { codec: this.calleeMedia.media.codec }),
        packetsReceived: stats.packetsReceived,
        packetsLost: stats.packetsLost,
        audioMs: this.level.ms,
        rmsDbfs: this.level.dbfs,
      };
      this.calleeMedia.close();
    }

    const outcome = callOutcome(this.req.dialect, end);
    this.move(this.answeredAt === undefined ? 'reject' : 'hangup');
    this.move('ended');
    if (!isFinal(this.state)) this.state = outcome.status;
    Object.assign(this.record, {
      status: outcome.status,
      reasonCode: outcome.reasonCode,
      reason: outcome.reason,
      endedAt: new Date(now).toISOString(),
      ...(outcome.sipStatus !== undefined && { sipStatus: outcome.sipStatus }),
    });
    this.durations(now);
    if (this.answeredAt !== undefined) this.record.callDurationSec = Math.round((now - this.answeredAt) / 1000);
    if (this.req.machineDetection !== 'disabled' && this.answeredAt !== undefined) this.record.amdInfo = amdInfoOf(this.record);
    this.services.metrics.callsEnded.inc({ status: outcome.status, reasonCode: outcome.reasonCode });
    this.log.info({ status: outcome.status, reasonCode: outcome.reasonCode, reason: outcome.reason }, 'call ended');
    this.notify({ kind: 'final' });

    const { store } = this.services;
    this.writes.enqueue('slot release', () => store.release(this.req.bot.name, this.conversationId));
    this.writes.enqueue('active call end', () => store.markEnded(this.conversationId));
    // Done once the BYEs are answered (or given up) and the store has everything: shutdown waits on this.
    void Promise.all([this.writes.settled(), ...teardown]).then(() => this.resolveDone());
  }
}
