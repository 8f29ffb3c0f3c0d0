// Validates a POST body against the `webhooks` section of outdial's OpenAPI document (JSON Schema 2020-12,
// as OpenAPI 3.1 uses it): valid when exactly one of the described webhooks accepts it.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApi } from '../../src/api/openapi.js';

interface OpenApiDoc {
  webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>;
  components: { schemas: Record<string, object> };
}

export interface WebhookValidator {
  /** The name of the one webhook the body matches, or an error saying why it matches none (or several). */
  check(body: unknown): { webhook: string } | { error: string };
}

export function webhookValidator(doc: OpenApiDoc = buildOpenApi() as unknown as OpenApiDoc): WebhookValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'outdial-openapi', components: doc.components });
  const validators: [string, ValidateFunction][] = Object.entries(doc.webhooks).map(([name, hook]) => {
    const ref = hook.post.requestBody.content['application/json'].schema.$ref;
    return [name, ajv.compile({ $ref: `outdial-openapi${ref}` })];
  });
  return {
    check(body) {
      const hits: string[] = [];
      const misses: string[] = [];
      for (const [name, validate] of validators) {
        if (validate(body)) hits.push(name);
        else misses.push(`${name}: ${ajv.errorsText(validate.errors)}`);
      }
      if (hits.length === 1) return { webhook: hits[0]! };
      if (hits.length > 1) return { error: `matches several webhooks: ${hits.join(', ')}` };
      return { error: `matches no webhook of /openapi.json:\n  ${misses.join('\n  ')}` };
    },
  };
}

let shared: WebhookValidator | undefined;
/** One validator per test file: compiling the schemas takes a moment. */
export function sharedWebhookValidator(): WebhookValidator {
  shared ??= webhookValidator();
  return shared;
}
