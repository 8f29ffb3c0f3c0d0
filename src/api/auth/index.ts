import type { ClientConfig, Config } from '../../config/index.js';
import { ApiError } from '../http-error.js';
import { authenticateClient, parseBasic } from './clients.js';
import { verifyKoreJwt } from './kore-jwt.js';
import { verifyAccessToken } from './tokens.js';

export { dialoutDenied, scopeCovers, dialoutRole } from './authorize.js';
export { issueAccessToken } from './tokens.js';
export { authenticateClient, parseBasic } from './clients.js';

const challenge = { 'www-authenticate': 'Basic realm="outdial", Bearer realm="outdial"' };

// `now` (epoch ms) below is the time a token is checked at: the API's clock (ApiDeps.clock).

/** AudioCodes dialect: `Authorization: Basic <id:secret>` or `Authorization: Bearer <access token>`. */
export async function authenticateAuthorization(config: Config, header: string | undefined, now: () => number = Date.now): Promise<ClientConfig> {
  if (header === undefined || header.trim() === '') throw new ApiError(401, 'missing Authorization header (Basic or Bearer)', challenge);
  const basic = parseBasic(header);
  if (basic) {
    const client = authenticateClient(config, basic.id, basic.secret);
    if (!client) throw new ApiError(401, 'client id or secret is wrong', challenge);
    return client;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) {
    const check = await verifyAccessToken(config, bearer[1]!, now);
    if (!check.ok) throw new ApiError(401, check.error, challenge);
    return check.client;
  }
  throw new ApiError(401, 'Authorization header must be Basic or Bearer', challenge);
}

/** Kore dialect: header `auth: <JWT>`. */
export async function authenticateKoreHeader(config: Config, header: string | undefined, now: () => number = Date.now): Promise<ClientConfig> {
  if (header === undefined || header.trim() === '') throw new ApiError(401, 'missing auth header (JWT)');
  const check = await verifyKoreJwt(config, header.trim(), now);
  if (!check.ok) throw new ApiError(401, check.error);
  return check.client;
}

/** Read-only routes take either dialect's credentials. */
export async function authenticateEither(
  config: Config,
  headers: { authorization?: string; auth?: string | string[] },
  now: () => number = Date.now,
): Promise<ClientConfig> {
  const kore = Array.isArray(headers.auth) ? headers.auth[0] : headers.auth;
  if (headers.authorization === undefined && kore !== undefined) return authenticateKoreHeader(config, kore, now);
  return authenticateAuthorization(config, headers.authorization, now);
}
