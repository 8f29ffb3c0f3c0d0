// A call's record as GET /api/v1/calls/:conversationId returns it and the store keeps it.

import type { AmdEvent, AmdEventType } from './amd-event.js';
import type { Dialect } from './dialect.js';
import type { MachineDetection } from './machine-detection.js';
import type { AudioSummary } from './audio-summary.js';

/** Kore's amdInfo on a final notification (docs/dialects/kore.md). */
export type AmdInfo = {
  amdEvents: AmdEventType[];
  amdGreeting?: string;
  amdReason?: string;
  amdRingDurationInMs?: number;
  amdConnectDurationInMs?: number;
};

/** Lifecycle as the dialer sees it, derived from the call's state (src/calls/call-state.ts). */
export type CallStatus = 'initiated' | 'ringing' | 'answered' | 'completed' | 'failed';

/** What arrived from the callee: enough to tell a silent line from a live one. */
export type CalleeMedia = {
  codec?: string;
  packetsReceived: number;
  packetsLost: number;
  /** Decoded audio, in ms of timeline. */
  audioMs: number;
  /**
   * Timeline declared without audio, in ms: packets lost, silence the sender did not send (a timestamp jump)
   * and a socket silent for longer than the receive watchdog's wait. AMD hears these as silence.
   */
  gapMs: number;
  /** RMS level of the decoded audio, dBFS (-96 for digital silence). */
  rmsDbfs: number;
};

/** One INVITE of a call through one trunk and how it ended (200 when answered). */
export type TrunkAttempt = { trunk: string; status: number; reason: string };

export type CallRecord = {
  conversationId: string;
  dialect: Dialect;
  /** Kore responses only: the sid and SIP Call-ID given back on dialout. */
  sid?: string;
  callId?: string;
  clientId: string;
  bot: string;
  account: string;
  /** The trunk that carried the call: the last one tried (docs/trunks.md). */
  trunk?: string;
  /** Inbound calls: the name of the inbound route the INVITE matched (docs/inbound.md). */
  route?: string;
  /** Every INVITE through a trunk, in order: the ones that failed over and the last one. */
  attempts?: TrunkAttempt[];
  target: string;
  requestUri: string;
  caller?: string;
  status: CallStatus;
  /** In the call's dialect (docs/dialects/); set once the call is final. */
  reasonCode?: string;
  reason?: string;
  /** The SIP final response status that ended an unanswered call. */
  sipStatus?: number;
  createdAt: string;
  ringingAt?: string;
  answeredAt?: string;
  endedAt?: string;
  /** From first ringing to answer (or to the end of an unanswered call). */
  ringDurationMs?: number;
  /** From the INVITE to answer (or to the end of an unanswered call). */
  connectDurationMs?: number;
  /** From answer to the end, whole seconds. */
  callDurationSec?: number;
  machineDetection: MachineDetection;
  amdEvents: AmdEvent[];
  amdInfo?: AmdInfo;
  /** Set when outdial hung up because AMD heard a machine, fax or beep; a detect-mode voicemail bridged to the bot is not. */
  machineDetected?: boolean;
  /** AudioCodes detect mode: "voicemail beep" or "voicemail timeout" (docs/dialects/audiocodes.md). */
  voicemailOutcome?: string;
  /** Kore: AMD events the dialer wants as notifications; undefined means all. */
  amdEventsSubscription?: string[];
  notifyUrl?: string;
  /** The callee's audio as outdial received it (direct media mode). */
  media?: CalleeMedia;
  /** What AMD heard, for GET /api/v1/calls/:conversationId/amd.svg (bounded; docs/operations.md). */
  amdAudio?: AudioSummary;
  /** Set by the daemon that finished this call after its own daemon was lost. */
  takenOverBy?: string;
  /** Notifications handed to the notifier for this call. */
  notificationsQueued: number;
};

export function isFinalStatus(status: CallStatus): boolean {
  return status === 'completed' || status === 'failed';
}
