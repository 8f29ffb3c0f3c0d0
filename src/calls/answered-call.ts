// The part of a call after the far party is on the line, whichever side placed it: the liveness watch, AMD
// on the party's audio with the machineDetection policy, the bot leg and the bridge. An outbound call (the
// callee answered outdial's INVITE) and an inbound call (outdial answered a dialer's INVITE) each run one;
// the call that owns it keeps its lifecycle, its journal and the one way out, end().

import type { AmdEvent, BotEvent, CallRecord, Clock, MachineDetection } from '../domain/index.js';
import type { AmdSettings } from '../dialout/index.js';
import type { Logger } from '../log/index.js';
import type { LegMedia, MediaBridge } from '../media/index.js';
import { AmdSession } from './amd-session.js';
import { machineDetectionEvent, type BotCallFacts } from './bot-events.js';
import { BotLeg } from './bot-leg.js';
import type { CallJournal } from './call-journal.js';
import type { CallServices } from './call-services.js';
import type { CallLifecycle } from './call-state.js';
import { LivenessWatch } from './liveness-watch.js';
import type { CallEnd } from './outcome.js';
import { voicemailOutcome, type PolicyAction } from './policy.js';
import type { RtpReport } from './rtp-report.js';
import type { UacLegServices } from './uac-leg.js';

export interface AnsweredCallSetup {
  /** The far party's media, flowing. */
  media: LegMedia;
  /** When the party came on the line (epoch ms). */
  answeredAt: number;
  machineDetection: MachineDetection;
  amd: AmdSettings;
  /** detect mode: how long after a machine decision the bot is told the greeting ended without a beep. */
  voicemailEndTimeoutMs: number;
  /** Where a person is bridged; without one the party stays with outdial until either side hangs up. */
  bot: { sipUri: string; eventsUrl: string | undefined } | undefined;
  botFacts: BotCallFacts;
  rtp: RtpReport;
}

/** What the owning call lends: its state, its record and journal, and its way out. */
export interface AnsweredCallOwner {
  lifecycle: CallLifecycle;
  record: CallRecord;
  journal: CallJournal;
  services: CallServices;
  legServices: UacLegServices;
  clock: Clock;
  log: Logger;
  end(end: CallEnd): void;
  /** After an AMD event is in the record and its notification queued. */
  onAmdEvent?(event: AmdEvent): void;
}

export class AnsweredCall {
  private bot: BotLeg | undefined;
  private amd: AmdSession | undefined;
  private bridge: MediaBridge | undefined;
  private readonly liveness: LivenessWatch;
  private readonly botQueue: BotEvent[] = [];

  constructor(
    private readonly setup: AnsweredCallSetup,
    private readonly owner: AnsweredCallOwner,
  ) {
    const { services, clock } = owner;
    this.liveness = new LivenessWatch(
      clock,
      services.config.calls,
      {
        answeredAt: setup.answeredAt,
        calleeLastRtpAt: () => setup.media.stats.lastArrivalAt,
        botLastRtpAt: () => this.bot?.lastRtpAt,
        calleeMediaStopped: () => setup.media.stopped,
        botMediaStopped: () => this.bot?.mediaStopped,
      },
      () => setup.rtp.report(),
      (detail) => owner.end({ kind: 'ended', by: 'outdial', cause: 'error', detail }),
    );
  }

  /** AMD (or, with machineDetection disabled, the bot at once). */
  start(): void {
    const { setup, owner } = this;
    if (setup.machineDetection === 'disabled') return this.connectBot();
    owner.lifecycle.to('detecting', owner.clock.now());
    this.amd = new AmdSession(
      setup.media,
      { mode: setup.machineDetection, settings: setup.amd, onUndecided: owner.services.config.calls.onUndecided, voicemailEndTimeoutMs: setup.voicemailEndTimeoutMs },
      { onEvent: (event, first) => this.onAmdEvent(event, first), onAction: (action) => this.apply(action), bridged: () => owner.lifecycle.isBridging },
    );
  }

  /** Stops AMD (its last events still reach the journal), the watch and the bridge. */
  stop(): void {
    this.amd?.stop();
    this.liveness.stop();
    this.bridge?.stop();
  }

  /** Hangs up the bot leg, if there is one; never rejects. */
  endBot(): Promise<void> {
    return this.bot?.end() ?? Promise.resolve();
  }

  private onAmdEvent(event: AmdEvent, first: boolean): void {
    const { record, services, log, journal } = this.owner;
    const rec = { ...event };
    record.amdEvents.push(rec);
    if (event.type === 'amd_stopped' && this.amd) record.amdAudio = this.amd.audio.summary();
    if (first) {
      services.metrics.amdDecisions.inc({ type: event.type });
      services.metrics.amdDecisionSeconds.observe(event.atMs / 1000);
    }
    log.info({ amd: rec }, 'amd event');
    journal.notify({ kind: 'amd', event: rec });
    this.owner.onAmdEvent?.(rec);
  }

  private apply(action: PolicyAction): void {
    const { owner } = this;
    switch (action.action) {
      case 'none':
        return;
      case 'hangup':
        owner.record.machineDetected = true;
        return owner.end({ kind: 'ended', by: 'outdial', cause: action.cause });
      case 'bridge':
        if (action.voicemail) this.sendToBot(machineDetectionEvent(owner.record.conversationId, 'voicemail-prompt-start'));
        return this.connectBot();
      case 'voicemail-prompt-start':
        // a call bridged as a person turned out to be a recorder (docs/amd.md, "After a human decision")
        this.sendToBot(machineDetectionEvent(owner.record.conversationId, 'voicemail-prompt-start'));
        return;
      case 'voicemail-prompt-end':
        owner.record.voicemailOutcome = voicemailOutcome(action.by);
        owner.journal.save();
        this.sendToBot(machineDetectionEvent(owner.record.conversationId, 'voicemail-prompt-end-beep'));
        return;
    }
  }

  /** Bot events wait until the bot leg is up; the start event always goes first. */
  private sendToBot(event: BotEvent): void {
    if (this.bot?.up && this.owner.lifecycle.state === 'bridged') this.bot.send(event);
    else this.botQueue.push(event);
  }

  private connectBot(): void {
    const { owner, setup } = this;
    const { lifecycle, services } = owner;
    if (!setup.bot || !lifecycle.can('bridging')) return;
    lifecycle.to('bridging', owner.clock.now());
    const bot = new BotLeg(owner.legServices, {
      uri: setup.bot.sipUri,
      facts: setup.botFacts,
      eventsUrl: setup.bot.eventsUrl,
      poster: services.botEvents,
      answerTimeoutMs: services.botAnswerTimeoutMs,
      bridgeTo: setup.media,
    });
    this.bot = bot;
    bot.onGone((cause) => owner.end(cause === 'session-expired' ? { kind: 'ended', by: 'session-timer' } : { kind: 'ended', by: 'bot' }));
    const decision = setup.machineDetection === 'disabled' ? 'disabled' : (this.amd?.decisionSoFar ?? 'none');
    bot.connect(decision).then(
      (botMedia) => {
        if (lifecycle.isEnding) return;
        lifecycle.to('bridged', owner.clock.now());
        try {
          this.bridge = services.media.bridge(setup.media, botMedia);
        } catch (err) {
          // Legs a media server cannot join (e.g. on two FreeSWITCH servers): the call cannot go on.
          owner.log.error({ err }, 'bridge failed');
          owner.end({ kind: 'ended', by: 'outdial', cause: 'error', detail: `bridge failed: ${(err as Error).message}` });
          return;
        }
        for (const event of this.botQueue.splice(0)) bot.send(event);
      },
      (err: unknown) => {
        if (lifecycle.isEnding) return;
        owner.log.warn({ err }, 'bot leg failed');
        owner.end({ kind: 'ended', by: 'outdial', cause: 'error', detail: (err as Error).message });
      },
    );
  }
}
