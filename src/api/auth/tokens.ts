// OAuth 2.0 client_credentials access tokens: HS256 JWTs signed with the client's own secret, so every
// daemon sharing the config accepts them without shared state, and a changed secret revokes them.

import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import type { ClientConfig, Config } from '../../config/index.js';
import { findClient } from './clients.js';

const issuer = 'outdial';
const audience = 'outdial-api';

function key(client: ClientConfig): Uint8Array {
  return new TextEncoder().encode(client.secret);
}

/** `now` (epoch ms) is the issuing time; tests pass their own clock's. */
export async function issueAccessToken(client: ClientConfig, ttlSeconds: number, now: () => number = Date.now): Promise<string> {
  const nowSec = Math.floor(now() / 1000);
  return new SignJWT({ token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(client.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + ttlSeconds)
    .sign(key(client));
}

export type TokenCheck = { ok: true; client: ClientConfig } | { ok: false; error: string };

export async function verifyAccessToken(config: Config, token: string, now: () => number = Date.now): Promise<TokenCheck> {
  let subject: string | undefined;
  try {
    subject = decodeJwt(token).sub;
  } catch {
    return { ok: false, error: 'bearer token is malformed' };
  }
  const client = subject === undefined ? undefined : findClient(config, subject);
  if (!client) return { ok: false, error: 'bearer token is not valid' };
  try {
    const { payload } = await jwtVerify(token, key(client), { algorithms: ['HS256'], issuer, audience, requiredClaims: ['exp'], currentDate: new Date(now()) });
    if (payload.token_use !== 'access') return { ok: false, error: 'bearer token is not an access token' };
    return { ok: true, client };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') return { ok: false, error: 'bearer token has expired' };
    return { ok: false, error: 'bearer token is not valid' };
  }
}
