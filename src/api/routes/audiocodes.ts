import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { findBot, normalizeAudiocodes } from '../../dialout/index.js';
import { authenticateAuthorization, dialoutDenied } from '../auth/index.js';
import { apiNow, type ApiDeps } from '../deps.js';
import { ApiError } from '../http-error.js';
import { audiocodesDialoutBody } from '../schemas.js';
import { typed } from '../type-provider.js';
import { launch } from './launch.js';

export const audiocodesDialoutPath = '/api/v1/actions/dialout';

export function audiocodesDialoutRoute(app: FastifyInstance, deps: ApiDeps): void {
  const now = apiNow(deps);
  typed(app).post(audiocodesDialoutPath, {
    schema: { body: audiocodesDialoutBody },
    // Credentials are checked before the body, so a stranger learns nothing from validation errors.
    onRequest: async (request) => {
      request.apiClient = await authenticateAuthorization(deps.config, request.headers.authorization, now);
    },
    handler: async (request) => {
      const client = request.apiClient!;
      const body = request.body;
      const bot = findBot(deps.config, body.bot);
      if (!bot) throw new ApiError(404, `unknown bot "${body.bot}"`);
      const denied = dialoutDenied(client, bot);
      if (denied) throw new ApiError(403, denied);
      const req = await launch(deps, () =>
        normalizeAudiocodes(body, { config: deps.config, bot, clientId: client.id, conversationId: randomUUID() }),
      );
      return { conversationId: req.conversationId };
    },
  });
}
