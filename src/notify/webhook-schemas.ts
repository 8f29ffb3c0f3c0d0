// The JSON schemas of everything outdial POSTs to a dialer or a bot: notifications of both dialects and bot
// events. GET /openapi.json publishes them in its `webhooks` section (OpenAPI 3.1), and the compile-time
// checks below keep each schema's fields the fields of the type its builder returns, so the description
// cannot drift from what is sent. The dialect pages in docs/ explain each field.

import { amdEventTypes, type BotEvent } from '../domain/index.js';
import type { AudiocodesNotification } from './audiocodes.js';
import type { JambonzAmdPayload } from './jambonz.js';
import type { KoreNotification } from './kore.js';

/** True when T's keys and the schema's property names are the same set. */
type SameKeys<T, P> = [Exclude<keyof T, keyof P>, Exclude<keyof P, keyof T>] extends [never, never] ? true : false;

const isoTime = { type: 'string', format: 'date-time' } as const;
const ms = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;

const amdInfo = {
  type: 'object',
  required: ['amdEvents'],
  additionalProperties: false,
  properties: {
    amdEvents: { type: 'array', items: { type: 'string', enum: [...amdEventTypes] }, description: 'The AMD events of the call, in order.' },
    amdGreeting: { type: 'string', description: 'The greeting as far as it was heard, on a machine decision.' },
    amdReason: { type: 'string', description: 'Why the machine decision was taken.' },
    amdRingDurationInMs: ms('Milliseconds from ringing to answer.'),
    amdConnectDurationInMs: ms('Milliseconds from the INVITE to answer.'),
  },
} as const;

// docs/trunks.md: final notifications of a call through a trunk name it and every attempt.
const trunkProperties = {
  trunk: { type: 'string', description: 'The trunk that carried the call (the last one tried).' },
  attempts: {
    type: 'array',
    description: 'Every INVITE through a trunk, in order: the ones that failed over, then the last one (200 when answered).',
    items: {
      type: 'object',
      required: ['trunk', 'status', 'reason'],
      additionalProperties: false,
      properties: { trunk: { type: 'string' }, status: { type: 'integer', minimum: 100, maximum: 699 }, reason: { type: 'string' } },
    },
  },
} as const;

const koreProperties = {
  conversationId: { type: 'string' },
  reason: { type: 'string', description: 'SIP reason phrase or the reason the call ended.' },
  reasonCode: { type: 'string', description: 'outdial reason code (docs/dialect-kore.md).' },
  callConnectTime: isoTime,
  ringDurationInMS: ms('Milliseconds from ringing to answer (0 when it never rang).'),
  connectDurationInMS: ms('Milliseconds from the INVITE to answer.'),
  status: { type: 'string', enum: ['Answered', 'Call-In-Progress', 'completed', 'Failed'] },
  machineDetection: { type: 'string', description: 'An AMD event type, or "disabled".' },
  callDuration: { type: 'integer', minimum: 0, description: 'Seconds from answer to hang-up.' },
  sessionId: { type: 'string' },
  callDisconnectTime: isoTime,
  amdInfo,
  ...trunkProperties,
} as const;

const koreChecked: SameKeys<KoreNotification, typeof koreProperties> = true;

function koreSchema(status: KoreNotification['status'], required: readonly (keyof KoreNotification)[], description: string) {
  return {
    type: 'object',
    description,
    required: ['conversationId', 'reason', 'reasonCode', 'ringDurationInMS', 'connectDurationInMS', 'status', ...required],
    additionalProperties: false,
    properties: { ...koreProperties, status: { type: 'string', const: status } },
  };
}

const audiocodesProperties = {
  conversationId: { type: 'string' },
  status: { type: 'string', enum: ['answered', 'completed', 'failed'] },
  reasonCode: { type: 'string', description: 'outdial reason code (docs/dialect-audiocodes.md).' },
  reason: { type: 'string' },
  connectTime: isoTime,
  callDuration: { type: 'integer', minimum: 0, description: 'Seconds from answer to hang-up.' },
  machineDetection: { type: 'string', enum: ['voicemail beep', 'voicemail timeout'], description: 'detect mode: how the voicemail greeting ended.' },
  ...trunkProperties,
} as const;

const audiocodesChecked: SameKeys<AudiocodesNotification, typeof audiocodesProperties> = true;

function audiocodesSchema(status: AudiocodesNotification['status'], required: readonly (keyof AudiocodesNotification)[], description: string) {
  return {
    type: 'object',
    description,
    required: ['conversationId', 'status', ...required],
    additionalProperties: false,
    properties: { ...audiocodesProperties, status: { type: 'string', const: status } },
  };
}

const botEventProperties = {
  type: { type: 'string', const: 'event' },
  name: { type: 'string', enum: ['dialoutInitiated', 'start', 'machineDetection'] },
  value: { type: 'string' },
  parameters: {
    type: 'object',
    required: ['callee', 'outboundTarget'],
    properties: {
      callee: { type: 'string', description: 'The number of a tel: target, or the sip: URI as given.' },
      outboundTarget: { type: 'string', description: 'The target as the dialer gave it.' },
      caller: { type: 'string' },
      dialoutMetadata: { type: 'object', description: 'The dialout metadata, as given.' },
    },
  },
  conversationId: { type: 'string' },
} as const;

const botEventChecked: SameKeys<BotEvent, typeof botEventProperties> = true;

function botEventSchema(name: BotEvent['name'], required: readonly (keyof BotEvent)[], description: string, value?: object) {
  return {
    type: 'object',
    description,
    required: ['type', 'name', 'conversationId', ...required],
    additionalProperties: false,
    properties: { ...botEventProperties, name: { type: 'string', const: name }, ...(value && { value }) },
  };
}

/** Every key of every member of a union (keyof a union gives only the keys all members share). */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;

const jambonzProperties = {
  type: { type: 'string', enum: [...amdEventTypes], description: 'The AMD event (docs/amd.md).' },
  atMs: { type: 'number', minimum: 0, description: 'Audio offset from answer at which the event fired.' },
  reason: { type: 'string', description: 'amd_human_detected / amd_machine_detected: why (short greeting, long greeting, hint, fax, sit, …).' },
  greeting: { type: 'string', description: 'The greeting as far as it was heard.' },
  language: { type: 'string' },
  hint: { type: 'string', description: 'amd_machine_detected with reason hint: the phrase recognised.' },
  frequency: { type: 'number', description: 'amd_tone_detected: the beep frequency in Hz.' },
  error: { type: 'string', description: 'amd_error: what went wrong.' },
  evidence: { type: 'string', enum: ['beep', 'greeting'], description: 'amd_machine_after_human: what showed a machine after all.' },
  callId: { type: 'string', description: "The SIP Call-ID of the dialer's INVITE." },
  route: { type: 'string', description: 'The inbound route the INVITE matched.' },
  conversationId: { type: 'string', description: "outdial's id of the call (GET /api/v1/calls/:conversationId)." },
} as const;

const jambonzChecked: [Exclude<KeysOfUnion<JambonzAmdPayload>, keyof typeof jambonzProperties>, Exclude<keyof typeof jambonzProperties, KeysOfUnion<JambonzAmdPayload>>] extends [never, never]
  ? true
  : false = true;

export interface WebhookDescription {
  /** Component schema name in /openapi.json. */
  schema: string;
  summary: string;
  /** Who receives it: the dialout's notifyUrl, the bot's eventsUrl, or an inbound route's actionHook. */
  receiver: 'notifyUrl' | 'eventsUrl' | 'actionHook';
  body: object;
}

// The checks above must be used for the compiler to keep them; they are also true at run time.
export const webhookSchemasChecked = koreChecked && audiocodesChecked && botEventChecked && jambonzChecked;

/** Every POST outdial makes to a dialer or a bot, keyed by its name in the OpenAPI `webhooks` section. */
export const webhooks: Record<string, WebhookDescription> = {
  koreAnswered: {
    schema: 'KoreAnsweredNotification',
    summary: 'Kore dialect: the callee answered.',
    receiver: 'notifyUrl',
    body: koreSchema('Answered', [], 'Sent once when the callee answers.'),
  },
  koreCallInProgress: {
    schema: 'KoreCallInProgressNotification',
    summary: 'Kore dialect: an AMD event (only those in amdEventsSubscription).',
    receiver: 'notifyUrl',
    body: koreSchema('Call-In-Progress', ['machineDetection'], 'One per AMD event while the call is up.'),
  },
  koreCompleted: {
    schema: 'KoreCompletedNotification',
    summary: 'Kore dialect: an answered call ended.',
    receiver: 'notifyUrl',
    body: koreSchema('completed', ['callDuration'], 'The final notification of an answered call; amdInfo unless AMD was disabled.'),
  },
  koreFailed: {
    schema: 'KoreFailedNotification',
    summary: 'Kore dialect: the call was not answered.',
    receiver: 'notifyUrl',
    body: koreSchema('Failed', [], 'The final notification of a call that never connected (busy, no answer, rejected, error).'),
  },
  audiocodesAnswered: {
    schema: 'AudiocodesAnsweredNotification',
    summary: 'AudioCodes dialect: the callee answered.',
    receiver: 'notifyUrl',
    body: audiocodesSchema('answered', [], 'Sent once when the callee answers.'),
  },
  audiocodesCompleted: {
    schema: 'AudiocodesCompletedNotification',
    summary: 'AudioCodes dialect: an answered call ended.',
    receiver: 'notifyUrl',
    body: audiocodesSchema('completed', ['reasonCode', 'reason', 'callDuration'], 'The final notification of an answered call.'),
  },
  audiocodesFailed: {
    schema: 'AudiocodesFailedNotification',
    summary: 'AudioCodes dialect: the call was not answered.',
    receiver: 'notifyUrl',
    body: audiocodesSchema('failed', ['reasonCode', 'reason'], 'The final notification of a call that never connected.'),
  },
  inboundAmdEvent: {
    schema: 'InboundAmdEvent',
    summary: "Inbound calls (jambonz AMD shape): an AMD event on a call a dialer sent in, POSTed to its route's actionHook.",
    receiver: 'actionHook',
    body: {
      type: 'object',
      description: 'One per AMD event; the same JSON is the body of the SIP INFO sent in the call (docs/inbound.md).',
      required: ['type', 'atMs', 'callId', 'route', 'conversationId'],
      additionalProperties: false,
      properties: jambonzProperties,
    },
  },
  botDialoutInitiated: {
    schema: 'BotDialoutInitiatedEvent',
    summary: "Bot event: the dialout started (when the bot's sendEventsToBot asks for it).",
    receiver: 'eventsUrl',
    body: botEventSchema('dialoutInitiated', ['parameters'], 'Sent before any answer.'),
  },
  botStart: {
    schema: 'BotStartEvent',
    summary: 'Bot event: the callee is connected to the bot.',
    receiver: 'eventsUrl',
    body: botEventSchema('start', ['parameters'], 'The call-initiation event.'),
  },
  botMachineDetection: {
    schema: 'BotMachineDetectionEvent',
    summary: 'Bot event: a voicemail prompt started, or ended on its beep (detect mode).',
    receiver: 'eventsUrl',
    body: botEventSchema('machineDetection', ['value'], 'Tells the bot when to speak its voicemail message.', {
      type: 'string',
      enum: ['voicemail-prompt-start', 'voicemail-prompt-end-beep'],
    }),
  },
};

const signingHeaders = [
  { name: 'webhook-id', description: 'The notification\'s id: the same on every retry of it; deduplicate on it.' },
  { name: 'webhook-timestamp', description: 'Unix seconds when this attempt was signed.' },
  { name: 'webhook-signature', description: 'Standard Webhooks: "v1,<base64 HMAC-SHA256 of id.timestamp.body>", one per signing secret, space-separated.' },
  { name: 'SAVG-Signature', description: '"t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>", one v1 per signing secret.' },
].map((h) => ({ in: 'header', required: true, schema: { type: 'string' }, ...h }));

/** The OpenAPI 3.1 `webhooks` section and the component schemas it refers to. */
export function openapiWebhooks(): { webhooks: Record<string, unknown>; schemas: Record<string, object> } {
  const section: Record<string, unknown> = {};
  const schemas: Record<string, object> = {};
  for (const [name, w] of Object.entries(webhooks)) {
    schemas[w.schema] = w.body;
    section[name] = {
      post: {
        operationId: name,
        summary: w.summary,
        description: `POSTed to the ${w.receiver}; delivery is at least once (docs/operations.md, "Webhooks").`,
        parameters: signingHeaders,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${w.schema}` } } } },
        responses: {
          '2XX': { description: 'Delivered.' },
          ...(w.receiver !== 'eventsUrl' && {
            '5XX': { description: 'Retried later with backoff (also on timeout or refused connection).' },
            '4XX': { description: 'Given up: not sent again.' },
          }),
        },
      },
    };
  }
  return { webhooks: section, schemas };
}
