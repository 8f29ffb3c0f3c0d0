// Kore notifications (docs/dialects/kore.md): Answered, Call-In-Progress per AMD event, then completed or Failed.

import { amdDecisionTypes, type AmdEvent, type AmdInfo, type CallRecord, type TrunkAttempt } from '../domain/index.js';
import { trunkFacts } from './trunk-facts.js';
import type { NotificationEvent } from './event.js';

export type KoreNotification = {
  conversationId: string;
  reason: string;
  reasonCode: string;
  callConnectTime?: string;
  ringDurationInMS: number;
  connectDurationInMS: number;
  status: 'Answered' | 'Call-In-Progress' | 'completed' | 'Failed';
  machineDetection?: string;
  callDuration?: number;
  sessionId?: string;
  callDisconnectTime?: string;
  amdInfo?: AmdInfo;
  /** Final notifications of calls through a trunk: the trunk that carried the call and every attempt (docs/trunks.md). */
  trunk?: string;
  attempts?: TrunkAttempt[];
};

/** Kore's amdInfo (docs/dialects/kore.md): the record's own, or derived from its AMD events. */
export function amdInfoOf(record: CallRecord): AmdInfo {
  if (record.amdInfo) return record.amdInfo;
  const machine = record.amdEvents.find((e): e is Extract<AmdEvent, { type: 'amd_machine_detected' }> => e.type === 'amd_machine_detected');
  return {
    amdEvents: record.amdEvents.map((e) => e.type),
    ...(machine?.greeting !== undefined && { amdGreeting: machine.greeting }),
    ...(machine?.reason !== undefined && { amdReason: machine.reason }),
    ...(record.ringDurationMs !== undefined && { amdRingDurationInMs: record.ringDurationMs }),
    ...(record.connectDurationMs !== undefined && { amdConnectDurationInMs: record.connectDurationMs }),
  };
}

/** docs/dialects/kore.md: "disabled" when AMD is off; else the call's first decision (or its last event). */
function machineDetectionOf(record: CallRecord): string | undefined {
  if (record.machineDetection === 'disabled') return 'disabled';
  const decision = record.amdEvents.find((e) => amdDecisionTypes.includes(e.type));
  return (decision ?? record.amdEvents.at(-1))?.type;
}

function subscribed(record: CallRecord, event: AmdEvent): boolean {
  return record.amdEventsSubscription === undefined || record.amdEventsSubscription.includes(event.type);
}

function progress(record: CallRecord) {
  return { ringDurationInMS: record.ringDurationMs ?? 0, connectDurationInMS: record.connectDurationMs ?? 0 };
}

/** The notification for `event`, or undefined when it is not sent (an AMD event outside amdEventsSubscription). */
export function koreNotification(record: CallRecord, event: NotificationEvent): KoreNotification | undefined {
  const base = { conversationId: record.conversationId };
  switch (event.kind) {
    case 'answered':
      return { ...base, reason: '200 OK', reasonCode: 'OK', ...(record.answeredAt && { callConnectTime: record.answeredAt }), ...progress(record), status: 'Answered' };
    case 'amd':
      if (!subscribed(record, event.event)) return undefined;
      return {
        ...base,
        reason: '200 OK',
        reasonCode: 'OK',
        ...(record.answeredAt && { callConnectTime: record.answeredAt }),
        ...progress(record),
        status: 'Call-In-Progress',
        machineDetection: event.event.type,
      };
    case 'final': {
      if (record.status === 'failed') {
        // docs/dialects/kore.md: a failed call's connect and disconnect times are both its end.
        return {
          ...base,
          reason: record.reason ?? '',
          reasonCode: record.reasonCode ?? '',
          ...(record.endedAt && { callConnectTime: record.endedAt }),
          ...progress(record),
          status: 'Failed',
          ...(record.endedAt && { callDisconnectTime: record.endedAt }),
          ...trunkFacts(record),
        };
      }
      if (record.status !== 'completed') return undefined;
      const machineDetection = machineDetectionOf(record);
      return {
        ...base,
        reason: record.reason ?? '200 OK',
        reasonCode: record.reasonCode ?? '',
        ...(record.answeredAt && { callConnectTime: record.answeredAt }),
        ...progress(record),
        status: 'completed',
        callDuration: record.callDurationSec ?? 0,
        ...(machineDetection !== undefined && { machineDetection }),
        ...(record.sid !== undefined && { sessionId: record.sid }),
        ...(record.endedAt && { callDisconnectTime: record.endedAt }),
        ...(record.machineDetection !== 'disabled' && { amdInfo: amdInfoOf(record) }),
        ...trunkFacts(record),
      };
    }
  }
}
