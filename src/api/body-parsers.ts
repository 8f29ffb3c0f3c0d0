// How each route reads its body, and what it says when it cannot: the content type it wanted, or that the
// body is not JSON — never a "missing field" for a body it did not read.

import type { FastifyInstance } from 'fastify';

/** OAuth 2.0 token requests are form-encoded (RFC 6749 section 4.4.2); JSON is read too. */
export function readFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

class BodyNotJson extends Error {
  readonly statusCode = 400;
  constructor(contentType: string | undefined, detail: string) {
    super(`request body is not JSON (Content-Type: ${contentType ?? 'none'}): ${detail}`);
  }
}

/**
 * The Kore route reads its body as JSON whatever the Content-Type: the vendor's own sample is curl
 * `--data-raw '{…}'` with a `Format: application/json` header, so it arrives as
 * application/x-www-form-urlencoded (or with no Content-Type from other clients).
 */
export function readAnyBodyAsJson(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  const parse = (req: { headers: Record<string, unknown> }, body: string, done: (err: Error | null, body?: unknown) => void): void => {
    const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
    if (body.trim() === '') return done(new BodyNotJson(contentType, 'the body is empty'));
    void json(req as never, body, (err, parsed) => (err ? done(new BodyNotJson(contentType, err.message)) : done(null, parsed)));
  };
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => parse(req, body as string, done));
}
