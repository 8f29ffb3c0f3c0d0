// GET /api/v1/calls/:conversationId/amd.svg: the call's AMD picture (level, speech, tones, every AMD event)
// from the audio summary its record keeps (docs/operations.md, "Seeing why AMD decided").

import type { FastifyInstance } from 'fastify';
import { renderAmdSvg } from '../../plot/amd-svg.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../http-error.js';
import { callParams } from '../schemas.js';
import { typed } from '../type-provider.js';
import { callPath, eitherDialectAuth, visibleCall } from './calls.js';

export const amdPlotPath = `${callPath}/amd.svg`;

export function amdPlotRoute(app: FastifyInstance, deps: ApiDeps): void {
  typed(app).get(amdPlotPath, {
    schema: { params: callParams },
    onRequest: eitherDialectAuth(deps),
    handler: async (request, reply) => {
      const record = await visibleCall(deps, request.apiClient!, request.params.conversationId);
      if (!record.amdAudio) {
        throw new ApiError(404, `call "${record.conversationId}" has no AMD audio summary (AMD did not listen, or it has not stopped yet)`);
      }
      const title = `${record.conversationId}  ${record.machineDetection}  ${record.status}${record.reasonCode ? ` ${record.reasonCode}` : ''}`;
      return reply.type('image/svg+xml').send(renderAmdSvg({ title, summary: record.amdAudio, events: record.amdEvents }));
    },
  });
}
