// Kore dialect: header `auth: <JWT>`, HS256 signed with the client's secret, claim appId = client id. It must
// carry `exp`, no further away than `auth.koreJwtMaxLifetimeSec`: a token that never expires, leaked once,
// would dial out forever.

import { decodeJwt, jwtVerify } from 'jose';
import type { Config } from '../../config/index.js';
import { findClient } from './clients.js';
import type { TokenCheck } from './tokens.js';

/** `now` (epoch ms) is the time the token is checked at; tests pass their own clock's. */
export async function verifyKoreJwt(config: Config, token: string, now: () => number = Date.now): Promise<TokenCheck> {
  let appId: unknown;
  try {
    appId = decodeJwt(token).appId;
  } catch {
    return { ok: false, error: 'auth JWT is malformed' };
  }
  if (typeof appId !== 'string' || appId === '') return { ok: false, error: 'auth JWT has no appId claim' };
  const client = findClient(config, appId);
  if (!client) return { ok: false, error: 'auth JWT is not valid' };
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(client.secret), { algorithms: ['HS256'], requiredClaims: ['exp'], currentDate: new Date(now()) });
    const maxLifetime = config.auth.koreJwtMaxLifetimeSec;
    if (payload.exp! - Math.floor(now() / 1000) > maxLifetime) {
      return { ok: false, error: `auth JWT expires too far ahead (exp more than ${maxLifetime} s from now)` };
    }
    return { ok: true, client };
  } catch (err) {
    const e = err as { code?: string; claim?: string };
    if (e.code === 'ERR_JWT_EXPIRED') return { ok: false, error: 'auth JWT has expired' };
    if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'exp') return { ok: false, error: 'auth JWT has no exp claim (it must expire)' };
    return { ok: false, error: 'auth JWT is not valid' };
  }
}
