import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { findBot, normalizeKore } from '../../dialout/index.js';
import { authenticateKoreHeader, dialoutDenied } from '../auth/index.js';
import { apiNow, type ApiDeps } from '../deps.js';
import { ApiError } from '../http-error.js';
import { koreDialoutBody, koreDialoutParams } from '../schemas.js';
import { typed } from '../type-provider.js';
import { launch } from './launch.js';

export const koreDialoutPath = '/api/1.1/public/bot/:botId/smartassist/dialout';

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function koreDialoutRoute(app: FastifyInstance, deps: ApiDeps): void {
  const now = apiNow(deps);
  typed(app).post(koreDialoutPath, {
    schema: { body: koreDialoutBody, params: koreDialoutParams },
    onRequest: async (request) => {
      request.apiClient = await authenticateKoreHeader(deps.config, headerValue(request.headers.auth), now);
    },
    handler: async (request) => {
      const client = request.apiClient!;
      const { botId } = request.params;
      const bot = findBot(deps.config, botId);
      if (!bot) throw new ApiError(404, `unknown bot "${botId}"`);
      const denied = dialoutDenied(client, bot);
      if (denied) throw new ApiError(403, denied);
      const ids = { sid: randomUUID(), callId: randomUUID() };
      const req = await launch(deps, () =>
        normalizeKore(request.body, { config: deps.config, bot, clientId: client.id, conversationId: randomUUID() }, ids),
      );
      return { sid: ids.sid, callId: ids.callId, conversationId: req.conversationId };
    },
  });
}
