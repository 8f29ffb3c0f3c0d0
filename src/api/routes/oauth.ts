import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticateClient, issueAccessToken, parseBasic } from '../auth/index.js';
import { FailureThrottle } from '../auth/failure-throttle.js';
import { apiNow, type ApiDeps } from '../deps.js';
import { tokenRequestBody } from '../schemas.js';
import { typed } from '../type-provider.js';

export const tokenPath = '/oauth/token';

// RFC 6749 section 5.2 error responses.
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).send({ error, error_description: description });
}

export function tokenRoute(app: FastifyInstance, deps: ApiDeps): void {
  const ttl = deps.tokenTtlSeconds ?? 3600;
  const now = apiNow(deps);
  const throttle = new FailureThrottle(deps.config.auth.tokenFailuresPerMinute, now);
  typed(app).post(tokenPath, {
    schema: { body: tokenRequestBody },
    handler: async (request, reply) => {
      const body = request.body;
      const basic = request.headers.authorization ? parseBasic(request.headers.authorization) : undefined;
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (id === undefined || secret === undefined) {
        return oauthError(reply, 401, 'invalid_client', 'client_id and client_secret are required (form fields or Basic)');
      }
      const wait = throttle.retryAfter(id);
      if (wait !== undefined) {
        reply.header('retry-after', String(wait));
        return oauthError(reply, 429, 'too_many_attempts', `too many failed attempts for client "${id}"; retry in ${wait} s`);
      }
      const client = authenticateClient(deps.config, id, secret);
      if (!client) {
        throttle.failed(id);
        return oauthError(reply, 401, 'invalid_client', 'client id or secret is wrong');
      }
      const accessToken = await issueAccessToken(client, ttl, now);
      reply.header('cache-control', 'no-store');
      return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl };
    },
  });
}
