// AudioCodes call-status notifications (docs/dialects/audiocodes.md): answered, then failed or completed.

import type { CallRecord, TrunkAttempt } from '../domain/index.js';
import { trunkFacts } from './trunk-facts.js';
import type { NotificationEvent } from './event.js';

export type AudiocodesNotification = {
  conversationId: string;
  status: 'answered' | 'completed' | 'failed';
  reasonCode?: string;
  reason?: string;
  connectTime?: string;
  callDuration?: number;
  machineDetection?: string;
  /** Final notifications of calls through a trunk: the trunk that carried the call and every attempt (docs/trunks.md). */
  trunk?: string;
  attempts?: TrunkAttempt[];
};

/** The notification for `event`, or undefined when this dialect does not notify it. */
export function audiocodesNotification(record: CallRecord, event: NotificationEvent): AudiocodesNotification | undefined {
  switch (event.kind) {
    case 'answered':
      return { conversationId: record.conversationId, status: 'answered', ...(record.answeredAt && { connectTime: record.answeredAt }) };
    case 'amd':
      return undefined;
    case 'final': {
      if (record.status !== 'failed' && record.status !== 'completed') return undefined;
      const n: AudiocodesNotification = {
        conversationId: record.conversationId,
        status: record.status,
        reasonCode: record.reasonCode ?? 'error',
        reason: record.reason ?? '',
      };
      if (record.status === 'completed') {
        if (record.answeredAt) n.connectTime = record.answeredAt;
        n.callDuration = record.callDurationSec ?? 0;
        // docs/dialects/audiocodes.md: detect mode reports how the voicemail greeting ended.
        if (record.machineDetection === 'detect' && record.voicemailOutcome) n.machineDetection = record.voicemailOutcome;
      }
      return { ...n, ...trunkFacts(record) };
    }
  }
}

