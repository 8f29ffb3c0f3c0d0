// GET /openapi.json: the OpenAPI 3.1 document built from the very schema objects the routes validate with.

import { openapiWebhooks } from '../notify/webhook-schemas.js';
import * as s from './schemas.js';
import { audiocodesDialoutPath } from './routes/audiocodes.js';
import { amdPlotPath } from './routes/amd-plot.js';
import { callPath } from './routes/calls.js';
import { koreDialoutPath } from './routes/kore.js';
import { tokenPath } from './routes/oauth.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json('Error') });

/** OpenAPI's path template for a fastify path (`:botId` becomes `{botId}`). */
export function openapiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const dialoutErrors = {
  '400': error('A field is missing or wrong, or the body is not JSON; the error names it.'),
  '401': error('Missing, wrong or expired credentials.'),
  '403': error('The client lacks role VAIC/BOTS/DIALOUT or a scope covering the bot.'),
  '404': error('Unknown bot.'),
  '429': error("The bot's dialoutLimitPerSecond or dialoutMaxConcurrentCalls is reached."),
  '503': error('No SIP edge is connected, or the daemon is stopping.'),
};

export function buildOpenApi(): Record<string, unknown> {
  const hooks = openapiWebhooks();
  return {
    openapi: '3.1.0',
    info: { title: 'outdial', version: '1', description: 'Outbound dialer with answering machine detection.' },
    paths: {
      [audiocodesDialoutPath]: {
        post: {
          operationId: 'audiocodesDialout',
          summary: 'Place an outbound call (AudioCodes VoiceAI Connect dialect).',
          security: [{ basic: [] }, { oauth: [] }],
          requestBody: { required: true, ...json('AudiocodesDialoutRequest') },
          responses: {
            '200': { description: 'The call was triggered.', ...json('AudiocodesDialoutResponse') },
            ...dialoutErrors,
            '415': error('The body is not application/json.'),
          },
        },
      },
      [openapiPath(koreDialoutPath)]: {
        post: {
          operationId: 'koreDialout',
          summary: 'Place an outbound call (Kore.ai SmartAssist dialect).',
          security: [{ koreJwt: [] }],
          parameters: [{ name: 'botId', in: 'path', required: true, schema: s.koreDialoutParams.properties.botId }],
          requestBody: { required: true, ...json('KoreDialoutRequest') },
          responses: { '200': { description: 'The call was triggered.', ...json('KoreDialoutResponse') }, ...dialoutErrors },
        },
      },
      [openapiPath(callPath)]: {
        get: {
          operationId: 'getCall',
          summary: 'The call record: status, reasonCode, times, durations and AMD events.',
          security: [{ basic: [] }, { oauth: [] }, { koreJwt: [] }],
          parameters: [{ name: 'conversationId', in: 'path', required: true, schema: s.callParams.properties.conversationId }],
          responses: {
            '200': { description: 'The call record.', ...json('CallRecord') },
            '401': error('Missing, wrong or expired credentials.'),
            '404': error('Unknown call.'),
          },
        },
      },
      [openapiPath(amdPlotPath)]: {
        get: {
          operationId: 'getCallAmdPlot',
          summary: "The call's AMD picture: audio level, speech, tones and every AMD event (SVG).",
          security: [{ basic: [] }, { oauth: [] }, { koreJwt: [] }],
          parameters: [{ name: 'conversationId', in: 'path', required: true, schema: s.callParams.properties.conversationId }],
          responses: {
            '200': { description: 'The picture.', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
            '401': error('Missing, wrong or expired credentials.'),
            '404': error('Unknown call, or no AMD audio summary kept for it.'),
          },
        },
      },
      [tokenPath]: {
        post: {
          operationId: 'oauthToken',
          summary: 'OAuth 2.0 client_credentials grant.',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: ref('TokenRequest') },
              'application/json': { schema: ref('TokenRequest') },
            },
          },
          responses: {
            '200': { description: 'An access token for Authorization: Bearer.', ...json('TokenResponse') },
            '400': error('grant_type is missing or not client_credentials.'),
            '401': { description: 'Wrong client credentials (RFC 6749 invalid_client).' },
            '429': { description: 'Too many failed attempts for this client id in the last minute; Retry-After says when to try again.' },
          },
        },
      },
    },
    // Every notification and bot event outdial POSTs, from the schemas in src/notify/webhook-schemas.ts.
    webhooks: hooks.webhooks,
    components: {
      schemas: {
        ...hooks.schemas,
        AudiocodesDialoutRequest: s.audiocodesDialoutBody,
        AudiocodesDialoutResponse: s.audiocodesDialoutResponse,
        KoreDialoutRequest: s.koreDialoutBody,
        KoreDialoutResponse: s.koreDialoutResponse,
        CallRecord: s.callRecordBody,
        TokenRequest: s.tokenRequestBody,
        TokenResponse: s.tokenResponse,
        Error: s.errorBody,
      },
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'Client id and secret.' },
        oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: tokenPath, scopes: {} } } },
        koreJwt: { type: 'apiKey', in: 'header', name: 'auth', description: 'HS256 JWT signed with the client secret, claim appId = client id.' },
      },
    },
  };
}
