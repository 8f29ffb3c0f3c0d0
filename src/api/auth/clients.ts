import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientConfig, Config } from '../../config/index.js';

export function findClient(config: Config, id: string): ClientConfig | undefined {
  return config.clients.find((c) => c.id === id);
}

/** Compares secrets in constant time (digests make the lengths equal). */
export function secretMatches(client: ClientConfig, secret: string): boolean {
  const a = createHash('sha256').update(client.secret).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/** The client whose id and secret these are, or undefined. */
export function authenticateClient(config: Config, id: string, secret: string): ClientConfig | undefined {
  const client = findClient(config, id);
  return client && secretMatches(client, secret) ? client : undefined;
}

/** id and secret of an `Authorization: Basic` header, or undefined when it is not one. */
export function parseBasic(header: string): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
