import type { ClientConfig } from '../config/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated API client, set by the route's onRequest hook. */
    apiClient?: ClientConfig;
  }
}
