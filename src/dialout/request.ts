import type { AccountConfig, BotConfig, TrunkConfig } from '../config/index.js';
import type { Dialect, MachineDetection } from '../domain/index.js';

/** AMD timers and threshold (Kore `timers`, defaults in docs/design.md). */
export interface AmdSettings {
  thresholdWordCount: number;
  noSpeechTimeoutMs: number;
  decisionTimeoutMs: number;
  toneTimeoutMs: number;
  greetingCompletionTimeoutMs: number;
  /** Kore `timers.speechEndThresholdMs`; the engine's default when absent. */
  speechEndThresholdMs?: number;
}

/** A dialout request of either dialect, validated, authorized and routed. */
export interface DialoutRequest {
  dialect: Dialect;
  conversationId: string;
  /** Kore: the sid given back in the 200 response. */
  sid?: string;
  /** Kore: the callId given back in the 200 response; the SIP Call-ID of the INVITE to the callee. */
  callId?: string;
  clientId: string;
  bot: BotConfig;
  account: AccountConfig;
  /** The trunk the INVITE goes through (named, or the account's default for tel: targets). */
  trunk?: TrunkConfig;
  /** The trunk the dialout named (Kore `trunk`): then that trunk alone carries the call, no failover. */
  requestedTrunk?: string;
  /** The target as the dialer gave it: tel:+15551234567 or sip:user@host[:port]. */
  target: string;
  /** Where the INVITE goes: sip:<number>@<trunk host>:<port>, or the sip: target itself. */
  requestUri: string;
  /** User part of the From URI. */
  caller?: string;
  callerHost?: string;
  callerDisplayName?: string;
  notifyUrl?: string;
  /** Kore: headers to send with every notification. */
  notifyHeaders?: Record<string, string>;
  metadata?: Record<string, unknown>;
  answerTimeoutMs: number;
  machineDetection: MachineDetection;
  amd: AmdSettings;
  /** AudioCodes detect mode: how long to wait for the beep after a machine decision. */
  voicemailEndTimeoutMs: number;
  /** Extra headers for the callee INVITE, names X-*, P-* or Identity (docs/trunks.md). */
  sipHeaders?: Record<string, string>;
  /** Kore: AMD events to notify; undefined = all, [] = none. */
  amdEventsSubscription?: string[];
}

/** Starts calls. `place` resolves once the call is admitted and started; it throws DialoutRejected otherwise. */
export interface CallLauncher {
  place(req: DialoutRequest): Promise<void>;
}
