import type { AmdEvent } from '../domain/index.js';

/** What happened on the call that may be worth a notification. */
export type NotificationEvent =
  /** The callee answered. */
  | { kind: 'answered' }
  /** An AMD event (Kore sends these as Call-In-Progress; AudioCodes does not notify them). */
  | { kind: 'amd'; event: AmdEvent }
  /** The call is final: record.status is failed or completed with reasonCode and reason set. */
  | { kind: 'final' };
