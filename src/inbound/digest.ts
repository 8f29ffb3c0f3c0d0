// SIP digest authentication as the server side (RFC 3261 §22.4, RFC 2617 with qop=auth, MD5): the 401
// challenge for an INVITE without credentials, and the check of the Authorization the dialer sends back.
// Nonces carry their own time and an HMAC, so no state is kept for them; an answer is accepted once only.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DigestCredentials {
  username: string;
  password: string;
  realm: string;
}

export type DigestVerdict =
  | { ok: true }
  /** No Authorization, or one for another realm: challenge. */
  | { ok: false; why: 'missing' }
  /** Right credentials on an expired nonce: challenge again with stale=true. */
  | { ok: false; why: 'stale' }
  /** Wrong user or password, a forged nonce, or an answer already used. */
  | { ok: false; why: 'refused'; detail: string };

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The parameters of a `Digest k=v, k="v"` header value, names lower-cased; undefined when not Digest. */
export function parseDigestHeader(value: string): Record<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/gy;
  const rest = m[1]!;
  let at = 0;
  while (at < rest.length) {
    re.lastIndex = at;
    const p = re.exec(rest);
    if (!p) return undefined;
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    at = re.lastIndex;
    while (rest[at] === ' ' || rest[at] === '\t') at++;
  }
  return params;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class DigestAuthenticator {
  private readonly key = randomBytes(32);
  /** Answers accepted while their nonce is fresh: a replayed INVITE is refused. */
  private readonly used = new Map<string, number>();

  constructor(
    private readonly credentials: DigestCredentials,
    private readonly nonceLifetimeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private nonce(at: number): string {
    const ts = at.toString(36);
    return `${ts}.${createHmac('sha256', this.key).update(ts).digest('base64url').slice(0, 22)}`;
  }

  /** When the nonce was issued by this authenticator, or undefined for one it did not issue. */
  private issuedAt(nonce: string): number | undefined {
    const [ts = '', mac] = nonce.split('.');
    if (mac === undefined || !sameText(this.nonce(parseInt(ts, 36)), nonce)) return undefined;
    return parseInt(ts, 36);
  }

  /** The WWW-Authenticate value of a 401. */
  challenge(stale = false): string {
    return `Digest realm="${this.credentials.realm}", nonce="${this.nonce(this.now())}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** Checks the Authorization header of a request with `method`. */
  verify(method: string, authorization: string | undefined): DigestVerdict {
    if (!authorization) return { ok: false, why: 'missing' };
    const p = parseDigestHeader(authorization);
    if (!p) return { ok: false, why: 'refused', detail: 'Authorization is not a Digest answer' };
    const { username, realm, nonce, uri, response } = p;
    if (realm !== this.credentials.realm) return { ok: false, why: 'missing' };
    if (!username || !nonce || !uri || !response) return { ok: false, why: 'refused', detail: 'Authorization lacks username, nonce, uri or response' };
    if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5') return { ok: false, why: 'refused', detail: `unsupported algorithm ${p.algorithm}` };
    const issued = this.issuedAt(nonce);
    if (issued === undefined) return { ok: false, why: 'refused', detail: 'nonce not issued here' };
    const ha1 = md5(`${username}:${realm}:${this.credentials.password}`);
    const ha2 = md5(`${method}:${uri}`);
    let expected: string;
    if (p.qop !== undefined) {
      if (p.qop !== 'auth' || !p.nc || !p.cnonce) return { ok: false, why: 'refused', detail: 'qop=auth needs nc and cnonce' };
      expected = md5(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${nonce}:${ha2}`);
    }
    if (!sameText(username, this.credentials.username) || !sameText(response.toLowerCase(), expected)) {
      return { ok: false, why: 'refused', detail: `wrong credentials for user "${username}"` };
    }
    const now = this.now();
    if (now - issued > this.nonceLifetimeMs) return { ok: false, why: 'stale' };
    this.forgetExpired(now);
    const answer = `${nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}`;
    if (this.used.has(answer)) return { ok: false, why: 'refused', detail: 'this Authorization was already used' };
    this.used.set(answer, issued);
    return { ok: true };
  }

  private forgetExpired(now: number): void {
    for (const [answer, issued] of this.used) if (now - issued > this.nonceLifetimeMs) this.used.delete(answer);
  }
}
