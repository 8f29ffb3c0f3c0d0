// jambonz dialect (inbound calls, docs/inbound.md): each AMD event as jambonz's AMD actionHook carries it,
// {"type": "amd_…", …the event's fields}, plus callId, route and conversationId so the dialer can tell its
// calls apart. The same JSON is the body of the SIP INFO sent in the call's dialog. Nothing else is
// notified: the dialer placed the call itself and sees it end.

import type { AmdEvent, CallRecord } from '../domain/index.js';
import type { NotificationEvent } from './event.js';

export type JambonzAmdPayload = AmdEvent & {
  /** The SIP Call-ID of the dialer's INVITE. */
  callId: string;
  /** The inbound route the INVITE matched. */
  route: string;
  conversationId: string;
};

export function jambonzAmdPayload(record: CallRecord, event: AmdEvent): JambonzAmdPayload {
  return { ...event, callId: record.callId ?? '', route: record.route ?? '', conversationId: record.conversationId };
}

/** The actionHook POST for `event`: AMD events only. */
export function jambonzNotification(record: CallRecord, event: NotificationEvent): JambonzAmdPayload | undefined {
  return event.kind === 'amd' ? jambonzAmdPayload(record, event.event) : undefined;
}
