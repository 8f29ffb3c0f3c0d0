import type { CallRecord } from '../domain/index.js';
import { audiocodesNotification } from './audiocodes.js';
import type { NotificationEvent } from './event.js';
import { jambonzNotification } from './jambonz.js';
import { koreNotification } from './kore.js';

export { audiocodesNotification, type AudiocodesNotification } from './audiocodes.js';
export { koreNotification, amdInfoOf, type KoreNotification } from './kore.js';
export { jambonzAmdPayload, jambonzNotification, type JambonzAmdPayload } from './jambonz.js';
export type { NotificationEvent } from './event.js';
export { Notifier, type NotifierOptions } from './notifier.js';
export {
  recommendedToleranceSec,
  signatureHeader,
  signingSecretsOf,
  signNotification,
  signWebhook,
  verifyNotificationSignature,
  verifyWebhookSignature,
  webhookHeaders,
  webhookIdHeader,
  webhookSignatureHeader,
  webhookTimestampHeader,
} from './signature.js';
export { webhookIdOf } from './entry-id.js';

/** The notification for `event` in the record's own dialect, or undefined when that dialect sends none. */
export function notificationFor(record: CallRecord, event: NotificationEvent): object | undefined {
  if (record.dialect === 'jambonz') return jambonzNotification(record, event);
  return record.dialect === 'audiocodes' ? audiocodesNotification(record, event) : koreNotification(record, event);
}
