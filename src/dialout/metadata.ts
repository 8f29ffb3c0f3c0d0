// Bounds on `metadata`: it travels to the bot base64url-encoded in one SIP header (X-Dialout-Metadata), and
// a drachtio-server sends only about 8.4 KB of a request's headers (docs/edge-connection.md; outdial refuses a
// request with more than 8,000). 4,096 bytes of JSON become at most 5,462 header characters, leaving room
// for the other headers with the longest caller and target.

import { DialoutInvalid } from './errors.js';

export const metadataLimits = { maxBytes: 4096, maxDepth: 32 } as const;

/** Depth of nested objects and arrays, stopping as soon as `limit` is passed (no recursion: no stack to blow). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Throws DialoutInvalid naming metadata when it is nested too deep or too large as JSON. */
export function checkMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata === undefined) return;
  if (depthExceeds(metadata, metadataLimits.maxDepth)) {
    throw new DialoutInvalid('metadata', `metadata must not be nested deeper than ${metadataLimits.maxDepth} levels`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > metadataLimits.maxBytes) {
    throw new DialoutInvalid('metadata', `metadata must be at most ${metadataLimits.maxBytes} bytes as JSON (it is ${bytes})`);
  }
}
