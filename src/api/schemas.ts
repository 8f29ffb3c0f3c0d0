// The HTTP API's JSON schemas: the routes validate with them and GET /openapi.json publishes them, so the
// two cannot drift apart. One dialout schema per dialect (docs/dialects/audiocodes.md, docs/dialects/kore.md).

import { audiocodesDialoutBody, koreDialoutBody } from '../dialout/index.js';

// The dialout bodies are the dialout module's own (their types are inferred from them); published here.
export { audiocodesDialoutBody, koreDialoutBody };

export const koreDialoutParams = {
  type: 'object',
  required: ['botId'],
  properties: { botId: { type: 'string', minLength: 1, description: 'Name of the bot.' } },
} as const;

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
} as const;

export const audiocodesDialoutResponse = {
  type: 'object',
  required: ['conversationId'],
  properties: { conversationId: { type: 'string', format: 'uuid' } },
} as const;

export const koreDialoutResponse = {
  type: 'object',
  required: ['sid', 'callId', 'conversationId'],
  properties: {
    sid: { type: 'string' },
    callId: { type: 'string' },
    conversationId: { type: 'string', format: 'uuid' },
  },
} as const;

export const tokenRequestBody = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', enum: ['client_credentials'] },
    client_id: { type: 'string' },
    client_secret: { type: 'string' },
  },
} as const;

export const tokenResponse = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer' },
  },
} as const;

export const callParams = {
  type: 'object',
  required: ['conversationId'],
  properties: { conversationId: { type: 'string', minLength: 1 } },
} as const;

export const callRecordBody = {
  type: 'object',
  required: ['conversationId', 'dialect', 'bot', 'target', 'status', 'createdAt', 'machineDetection', 'amdEvents'],
  properties: {
    conversationId: { type: 'string' },
    dialect: { type: 'string', enum: ['audiocodes', 'kore', 'jambonz'] },
    route: { type: 'string', description: 'Inbound calls: the inbound route the INVITE matched.' },
    bot: { type: 'string' },
    target: { type: 'string' },
    caller: { type: 'string' },
    status: { type: 'string', enum: ['initiated', 'ringing', 'answered', 'completed', 'failed'] },
    reasonCode: { type: 'string' },
    reason: { type: 'string' },
    sipStatus: { type: 'integer' },
    createdAt: { type: 'string' },
    ringingAt: { type: 'string' },
    answeredAt: { type: 'string' },
    endedAt: { type: 'string' },
    ringDurationMs: { type: 'integer' },
    connectDurationMs: { type: 'integer' },
    callDurationSec: { type: 'integer' },
    machineDetection: { type: 'string', enum: ['disconnect', 'detect', 'disabled'] },
    amdEvents: { type: 'array', items: { type: 'object', required: ['type', 'atMs'], properties: { type: { type: 'string' }, atMs: { type: 'number' } } } },
    machineDetected: { type: 'boolean' },
    trunk: { type: 'string', description: 'The trunk that carried the call (the last one tried).' },
    attempts: {
      type: 'array',
      description: 'Every INVITE through a trunk, in order, with its final status (200 when answered).',
      items: { type: 'object', required: ['trunk', 'status', 'reason'], properties: { trunk: { type: 'string' }, status: { type: 'integer' }, reason: { type: 'string' } } },
    },
  },
  additionalProperties: true,
} as const;
