import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallRecord } from '../../domain/index.js';
import type { ClientConfig } from '../../config/index.js';
import { findBot } from '../../dialout/index.js';
import { authenticateEither, scopeCovers } from '../auth/index.js';
import { apiNow, type ApiDeps } from '../deps.js';
import { ApiError } from '../http-error.js';
import { callParams } from '../schemas.js';
import { typed } from '../type-provider.js';

export const callPath = '/api/v1/calls/:conversationId';

/** onRequest of the read-only routes: either dialect's credentials, checked at the API's clock. */
export function eitherDialectAuth(deps: ApiDeps): (request: FastifyRequest) => Promise<void> {
  const now = apiNow(deps);
  return async (request) => {
    request.apiClient = await authenticateEither(deps.config, request.headers as { authorization?: string; auth?: string }, now);
  };
}

export function callRoute(app: FastifyInstance, deps: ApiDeps): void {
  typed(app).get(callPath, {
    schema: { params: callParams },
    onRequest: eitherDialectAuth(deps),
    handler: async (request) => visibleCall(deps, request.apiClient!, request.params.conversationId),
  });
}

/** The call's record if the client may see it; a call of a bot outside its scopes is reported as unknown, so ids cannot be probed. */
export async function visibleCall(deps: ApiDeps, client: ClientConfig, conversationId: string): Promise<CallRecord> {
  const record = await deps.calls.get(conversationId);
  const bot = record ? findBot(deps.config, record.bot) : undefined;
  const visible = record && (bot ? scopeCovers(client.scopes, bot) : client.scopes.includes('*'));
  if (!record || !visible) throw new ApiError(404, `unknown call "${conversationId}"`);
  return record;
}
