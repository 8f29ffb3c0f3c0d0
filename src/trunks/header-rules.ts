// What a SIP header outdial adds to an INVITE may be: the rules shared by a trunk's configured `headers`
// and a dialout's `sipHeaders`, so a bad header is refused where it is written (config check or 400),
// never put on the wire. Pure: no imports, so the config schema and the HTTP schemas can use it.

/** RFC 3261 §25.1 token: the characters a header name may hold. */
const tokenPattern = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/**
 * Headers the SIP stack or the call writes itself (RFC 3261 §20, with their compact forms): a trunk may not
 * set them through `headers`; `fromHost` and `privacy` are the keys for From and Privacy.
 */
const reservedHeaders = new Set(
  [
    'via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq', 'contact', 'm', 'max-forwards', 'content-length', 'l',
    'content-type', 'c', 'route', 'record-route', 'authorization', 'proxy-authorization', 'privacy',
  ],
);

/** The names a dialout's `sipHeaders` may use: `X-*`, `P-*` and `Identity` (RFC 8224, signed elsewhere). */
export const requestHeaderNamePattern = "^(?:[Xx]-[A-Za-z0-9!%*_+`'~.-]+|[Pp]-[A-Za-z0-9!%*_+`'~.-]+|[Ii][Dd][Ee][Nn][Tt][Ii][Tt][Yy])$";
export const requestHeaderNameRule = 'must be an X-* or P-* header name or Identity';

/** A header value may hold no line break, NUL or other control character (HTAB aside). */
export const headerValuePattern = '^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$';
export const headerValueRule = 'must be a header value without line breaks or control characters';
const headerValueRegExp = new RegExp(headerValuePattern);

/** Longest header value accepted: an Identity PASSporT with its certificate URL fits easily. */
export const maxHeaderValueLength = 4096;

/** Placeholders a trunk header value may use, filled per call. */
export const templateFields = ['caller', 'target', 'conversationId'] as const;
export type TemplateField = (typeof templateFields)[number];
export type TemplateValues = Record<TemplateField, string>;

/** Why `name` cannot be a header a trunk adds, or undefined when it can. */
export function trunkHeaderNameProblem(name: string): string | undefined {
  if (!tokenPattern.test(name)) return 'must be a SIP header name (letters, digits and -.!%*_+`\'~)';
  if (reservedHeaders.has(name.toLowerCase())) return `is written by outdial itself and cannot be set here`;
  return undefined;
}

/** Why `value` cannot be a header value, or undefined when it can. */
export function headerValueProblem(value: string): string | undefined {
  if (!headerValueRegExp.test(value)) return headerValueRule;
  if (value.length > maxHeaderValueLength) return `must be at most ${maxHeaderValueLength} characters`;
  return undefined;
}

/** Why a trunk header template cannot be used, naming an unknown placeholder, or undefined when it can. */
export function templateProblem(template: string): string | undefined {
  const valueProblem = headerValueProblem(template);
  if (valueProblem) return valueProblem;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(templateFields as readonly string[]).includes(match[1]!)) {
      return `unknown placeholder {${match[1]}}; use ${templateFields.map((f) => `{${f}}`).join(', ')}`;
    }
  }
  return undefined;
}

/** `template` with each placeholder replaced by its call's value. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{(caller|target|conversationId)\}/g, (_m, field: TemplateField) => values[field]);
}
