import type { FastifyError, FastifyInstance } from 'fastify';
import './request-client.js';
import type { ApiDeps } from './deps.js';
import { readAnyBodyAsJson, readFormBodies } from './body-parsers.js';
import { ApiError } from './http-error.js';
import { buildOpenApi } from './openapi.js';
import { audiocodesDialoutRoute } from './routes/audiocodes.js';
import { amdPlotRoute } from './routes/amd-plot.js';
import { callRoute } from './routes/calls.js';
import { koreDialoutRoute } from './routes/kore.js';
import { tokenRoute } from './routes/oauth.js';
import { describeViolation, type SchemaViolation } from './validation-error.js';

async function api(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.decorateRequest('apiClient', undefined);

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).headers(err.headers).send({ error: err.message });
    if (err.validation) {
      const part = err.validationContext ?? 'body';
      const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[part];
      const first = err.validation[0] as SchemaViolation | undefined;
      return reply.code(400).send({ error: first ? describeViolation(first, schema, part) : err.message });
    }
    // Fastify's own client errors: malformed JSON, wrong content type, body too large.
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type'] ?? 'none';
      return reply.code(415).send({ error: `request body must be JSON (Content-Type: application/json), not ${type}` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return reply.code(400).send({ error: `request body is not JSON: ${err.message}` });
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: err.message });
    }
    request.log.error({ err }, 'api request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  audiocodesDialoutRoute(app, deps);
  callRoute(app, deps);
  amdPlotRoute(app, deps);
  // Routes that read bodies other than application/json get their own parsers in their own context.
  await app.register((kore, _opts, done) => {
    readAnyBodyAsJson(kore);
    koreDialoutRoute(kore, deps);
    done();
  });
  await app.register((oauth, _opts, done) => {
    readFormBodies(oauth);
    tokenRoute(oauth, deps);
    done();
  });
  const openapi = buildOpenApi();
  app.get('/openapi.json', (_req, reply) => reply.send(openapi));
}

/**
 * The HTTP API of docs/design.md as a fastify plugin: call it directly or `app.register(registerApi, deps)`.
 * Its error format, content-type parsers and routes stay encapsulated in their own context.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(api, deps);
}
