import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';

/**
 * Request types inferred from each route's JSON schemas. Defaulted fields stay optional, as in the dialout
 * body types, because the normalizers (not the validator) own the defaults.
 */
export type ApiTypeProvider = JsonSchemaToTsProvider<{ ValidatorSchemaOptions: { keepDefaultedPropertiesOptional: true } }>;

export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ApiTypeProvider>();
}
