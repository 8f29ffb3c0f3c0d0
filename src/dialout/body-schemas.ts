// The dialout request bodies of each dialect as JSON schemas (docs/dialects/audiocodes.md, docs/dialects/kore.md): the HTTP routes validate with them, OpenAPI
// publishes them, and the body types below are inferred from them (docs/ and the README list the fields).

import type { FromSchema } from 'json-schema-to-ts';
import { amdEventTypes } from '../domain/index.js';
import { answerTimeoutSec, voicemailEndTimeoutSec } from './defaults.js';
import { metadataLimits } from './metadata.js';
import { maxSipFieldLength, targetPattern, targetRule } from './target.js';
import { headerValuePattern, headerValueRule, maxHeaderValueLength, requestHeaderNamePattern, requestHeaderNameRule } from '../trunks/index.js';

const machineDetection = {
  type: 'string',
  enum: ['disconnect', 'detect', 'disabled'],
  description: 'Machine (answering machine and fax) detection: disconnect, detect or disabled (default).',
} as const;

const target = {
  type: 'string',
  pattern: targetPattern,
  maxLength: maxSipFieldLength,
  description: `${targetRule}.`,
  examples: ['tel:+15551234567', 'sip:1234567890@192.0.2.10:5060'],
} as const;

const notifyUrl = {
  type: 'string',
  pattern: '^https?://[^\\s/?#]+[^\\s]*$',
  maxLength: 2048,
  description: 'must be an absolute http:// or https:// URL where call-status notifications are sent.',
} as const;

const metadata = {
  type: 'object',
  description: `Data passed to the bot (dialoutMetadata): at most ${metadataLimits.maxBytes} bytes as JSON, nested at most ${metadataLimits.maxDepth} deep.`,
} as const;

// docs/trunks.md: per-call headers for the callee INVITE; names limited so a dialer cannot rewrite routing.
const sipHeaders = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { pattern: requestHeaderNamePattern, description: `must have header names as keys that are X-* or P-* names or Identity` },
  additionalProperties: { type: 'string', maxLength: maxHeaderValueLength, pattern: headerValuePattern, description: `${headerValueRule}.` },
  description: `Extra headers on the INVITE to the callee (names: ${requestHeaderNameRule.replace(/^must be an? /, '')}), e.g. P-Asserted-Identity or a STIR/SHAKEN Identity.`,
} as const;

const caller = { type: 'string', minLength: 1, maxLength: maxSipFieldLength, description: 'User part of the caller id (From): an RFC 3261 user.' } as const;

export const audiocodesDialoutBody = {
  type: 'object',
  required: ['bot', 'target'],
  properties: {
    bot: { type: 'string', minLength: 1, description: 'Name of the bot connected to the call.' },
    target,
    caller,
    callerHost: { type: 'string', minLength: 1, maxLength: maxSipFieldLength, description: 'Host part of the caller id: a host name, IPv4 or [IPv6] address.' },
    callerDisplayName: { type: 'string', maxLength: maxSipFieldLength, description: 'Display name of the caller id (no control characters).' },
    notifyUrl,
    metadata,
    answerTimeoutSec: {
      type: 'integer',
      minimum: answerTimeoutSec.min,
      maximum: answerTimeoutSec.max,
      default: answerTimeoutSec.default,
      description: 'Seconds to wait for the callee to answer.',
    },
    machineDetection,
    sipHeaders,
    voicemailEndTimeoutSec: {
      type: 'integer',
      minimum: voicemailEndTimeoutSec.min,
      maximum: voicemailEndTimeoutSec.max,
      default: voicemailEndTimeoutSec.default,
      description: 'detect mode: seconds to wait for the voicemail beep after a machine decision.',
    },
  },
} as const;

const timerMs = (description: string, dflt: number) =>
  ({ type: 'integer', minimum: 100, maximum: 600000, default: dflt, description }) as const;

export const koreDialoutBody = {
  type: 'object',
  required: ['target'],
  properties: {
    bot: { type: 'string', description: 'Ignored: the path botId names the bot.' },
    target,
    caller,
    trunk: { type: 'string', minLength: 1, description: "Trunk of the bot's account; default: the account's default trunk." },
    notifyUrl,
    notifyurl: notifyUrl,
    notifyHeaders: {
      type: 'object',
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", description: 'must have HTTP header names as keys' },
      additionalProperties: { type: 'string', pattern: '^[^\\r\\n]*$', description: 'must be header values without line breaks' },
      description: 'Headers sent with every notification.',
    },
    timeoutInMs: { type: 'integer', minimum: 1000, maximum: 300000, default: 20000, description: 'Milliseconds to wait for the callee to answer.' },
    timers: {
      type: 'object',
      properties: {
        noSpeechTimeoutMs: timerMs('Milliseconds to wait for speech before amd_no_speech_detected.', 5000),
        decisionTimeoutMs: timerMs('Milliseconds to wait before amd_decision_timeout.', 15000),
        toneTimeoutMs: timerMs('Milliseconds to wait to hear a tone.', 20000),
        greetingCompletionTimeoutMs: timerMs('Silence in milliseconds ending a greeting (amd_machine_stopped_speaking).', 2000),
        // no schema default: the engine's own (700) applies, longer after a long first sentence (docs/amd.md)
        speechEndThresholdMs: {
          type: 'integer',
          minimum: 100,
          maximum: 10000,
          description: 'Silence in milliseconds that ends an utterance: after a short answer, a person waiting (amd_human_detected).',
        },
      },
    },
    machineDetection,
    machinedetection: machineDetection,
    thresholdWordCount: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 9,
      description: 'Words in a greeting that make it a machine.',
    },
    metadata,
    sipHeaders,
    amdEventsSubscription: {
      type: 'array',
      items: { type: 'string', enum: [...amdEventTypes] },
      description: 'AMD events sent as notifications; omitted = all, [] = none.',
    },
  },
} as const;


/** Bodies as the schemas admit them; defaulted fields stay optional (the normalizers apply the defaults). */
type Options = { keepDefaultedPropertiesOptional: true };
export type AudiocodesDialoutBody = FromSchema<typeof audiocodesDialoutBody, Options>;
export type KoreDialoutBody = FromSchema<typeof koreDialoutBody, Options>;
export type KoreTimers = NonNullable<KoreDialoutBody['timers']>;
