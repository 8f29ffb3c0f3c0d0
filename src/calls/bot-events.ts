// What the bot hears about a call: AudioCodes Bot API shaped events (docs/dialects/audiocodes.md, "Bot events"), and the headers of the
// INVITE that connects the callee to the bot. Pure builders.

import type { BotEvent } from '../domain/index.js';

export interface BotCallFacts {
  conversationId: string;
  /** The dialled target as the dialer gave it (tel: or sip: URI). */
  callee: string;
  caller?: string;
  metadata?: Record<string, unknown>;
}

/** The callee as the bot sees it: the number of a tel: URI, or the sip: URI as given. */
export function calleeOf(target: string): string {
  return target.startsWith('tel:') ? target.slice(4) : target;
}

function callParameters(call: BotCallFacts): Record<string, unknown> {
  const parameters: Record<string, unknown> = { callee: calleeOf(call.callee), outboundTarget: call.callee };
  if (call.caller !== undefined) parameters.caller = call.caller;
  if (call.metadata !== undefined) parameters.dialoutMetadata = call.metadata;
  return parameters;
}

/** Sent when the dialout starts, before any answer, if the bot's sendEventsToBot asks for it. */
export function dialoutInitiatedEvent(call: BotCallFacts): BotEvent {
  return { type: 'event', name: 'dialoutInitiated', parameters: callParameters(call), conversationId: call.conversationId };
}

/** The call-initiation event once the callee is connected to the bot. */
export function startEvent(call: BotCallFacts): BotEvent {
  return { type: 'event', name: 'start', parameters: callParameters(call), conversationId: call.conversationId };
}

export type MachineDetectionValue = 'voicemail-prompt-start' | 'voicemail-prompt-end-beep';

export function machineDetectionEvent(conversationId: string, value: MachineDetectionValue): BotEvent {
  return { type: 'event', name: 'machineDetection', value, conversationId };
}

/** base64url of the metadata JSON, so any metadata fits in one SIP header. */
export function encodeDialoutMetadata(metadata: Record<string, unknown> | undefined): string {
  return Buffer.from(JSON.stringify(metadata ?? {}), 'utf8').toString('base64url');
}

export function decodeDialoutMetadata(header: string): unknown {
  return JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
}

/** Headers of the INVITE to the bot; `machineDetection` is the decision so far (e.g. amd_human_detected). */
export function botInviteHeaders(call: BotCallFacts, machineDetection: string): Record<string, string> {
  const headers: Record<string, string> = {
    // "localhost" is the SIP edge's own address: both edges put their host:port there.
    From: '<sip:outdial@localhost>',
    'X-Conversation-Id': call.conversationId,
    'X-Dialout-Metadata': encodeDialoutMetadata(call.metadata),
    'X-Callee': calleeOf(call.callee),
    'X-Machine-Detection': machineDetection,
  };
  if (call.caller !== undefined) headers['X-Caller'] = call.caller;
  return headers;
}
