// Turns the schema validator's findings into one sentence that names the field, e.g.
// "answerTimeoutSec must be <= 300" or "request must have required property 'bot'".

export interface SchemaViolation {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** The schema node a violation points at (schemaPath is a JSON pointer into the route's schema). */
function schemaAt(schema: unknown, schemaPath: string): Record<string, unknown> | undefined {
  const parts = schemaPath.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  parts.pop(); // the keyword itself
  let node: unknown = schema;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

export function describeViolation(v: SchemaViolation, schema: unknown, part: string): string {
  const field = fieldName(v.instancePath);
  const subject = field === '' ? (part === 'body' ? 'request' : part) : field;
  switch (v.keyword) {
    case 'required':
      return `${subject} must have required property '${String(v.params.missingProperty)}'`;
    case 'enum':
      return `${subject} must be one of: ${(v.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern':
    case 'format': {
      const description = schemaAt(schema, v.schemaPath)?.description;
      if (typeof description === 'string' && description.startsWith('must')) return `${subject} ${description.replace(/\.$/, '')}`;
      return `${subject} ${v.message ?? 'is malformed'}`;
    }
    default:
      return `${subject} ${v.message ?? 'is invalid'}`;
  }
}
