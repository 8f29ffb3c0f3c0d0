import type { FastifyInstance } from 'fastify';
import { findBot } from '../../dialout/index.js';
import { authenticateEither, scopeCovers } from '../auth/index.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../http-error.js';
import { callParams } from '../schemas.js';
import { typed } from '../type-provider.js';

export const callPath = '/api/v1/calls/:conversationId';

export function callRoute(app: FastifyInstance, deps: ApiDeps): void {
  typed(app).get(callPath, {
    schema: { params: callParams },
    onRequest: async (request) => {
      request.apiClient = await authenticateEither(deps.config, request.headers as { authorization?: string; auth?: string });
    },
    handler: async (request) => {
      const { conversationId } = request.params;
      const record = await deps.calls.get(conversationId);
      // A call of a bot outside the client's scopes is reported as unknown, so ids cannot be probed.
      const bot = record ? findBot(deps.config, record.bot) : undefined;
      const visible = record && (bot ? scopeCovers(request.apiClient!.scopes, bot) : request.apiClient!.scopes.includes('*'));
      if (!record || !visible) throw new ApiError(404, `unknown call "${conversationId}"`);
      return record;
    },
  });
}
