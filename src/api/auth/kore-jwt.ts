// Kore dialect: header `auth: <JWT>`, HS256 signed with the client's secret, claim appId = client id.

import { decodeJwt, jwtVerify } from 'jose';
import type { Config } from '../../config/index.js';
import { findClient } from './clients.js';
import type { TokenCheck } from './tokens.js';

export async function verifyKoreJwt(config: Config, token: string): Promise<TokenCheck> {
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
    await jwtVerify(token, new TextEncoder().encode(client.secret), { algorithms: ['HS256'] });
    return { ok: true, client };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') return { ok: false, error: 'auth JWT has expired' };
    return { ok: false, error: 'auth JWT is not valid' };
  }
}
