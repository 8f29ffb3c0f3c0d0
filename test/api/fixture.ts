import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { registerApi, type DialoutAcceptance } from '../../src/api/index.js';
import type { CallRecord, Clock } from '../../src/domain/index.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import type { CallLauncher, DialoutRequest } from '../../src/dialout/index.js';

export const testConfig: Config = parseConfig({
  accounts: [
    {
      name: 'acme',
      trunks: [
        { name: 'carrier1', host: '127.0.0.1', port: 5080, default: true },
        { name: 'carrier2', host: '10.0.0.2', port: 5070, auth: { username: 'u', password: 'p' } },
      ],
    },
    { name: 'solo', trunks: [] },
  ],
  bots: [
    { name: 'Bot1', account: 'acme', sipUri: 'sip:bot1@127.0.0.1:5090', authorizationTag: 'sales', dialoutAllowedCallers: ['+15550001111'] },
    { name: 'Bot2', account: 'acme', sipUri: 'sip:bot2@127.0.0.1:5090', dialoutAllowedCallers: ['+15550002221', '+15550002222'] },
    { name: 'Bot3', account: 'solo', sipUri: 'sip:bot3@127.0.0.1:5090' },
  ],
  clients: [
    { id: 'dialer1', secret: 's3cret', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] },
    { id: 'byname', secret: 'n4me', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['Bot2'] },
    { id: 'bytag', secret: 't4g', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['tag=sales'] },
    { id: 'norole', secret: 'r0le', roles: ['VAIC/BOTS/VIEW'], scopes: ['*'] },
  ],
});

/** A launcher that keeps what it is given, and can be told to refuse the next call. */
export class RecordingLauncher implements CallLauncher {
  readonly placed: DialoutRequest[] = [];
  refuseWith: Error | undefined;

  async place(req: DialoutRequest): Promise<void> {
    if (this.refuseWith) throw this.refuseWith;
    this.placed.push(req);
  }

  get last(): DialoutRequest {
    const req = this.placed.at(-1);
    if (!req) throw new Error('no dialout was placed');
    return req;
  }
}

export interface ApiUnderTest {
  app: FastifyInstance;
  launcher: RecordingLauncher;
  records: Map<string, CallRecord>;
  acceptance: { current: DialoutAcceptance };
}

export async function startApi(options: { tokenTtlSeconds?: number; config?: Config; clock?: Clock } = {}): Promise<ApiUnderTest> {
  const { config = testConfig, ...rest } = options;
  const app = Fastify();
  const launcher = new RecordingLauncher();
  const records = new Map<string, CallRecord>();
  const acceptance: { current: DialoutAcceptance } = { current: { ok: true } };
  await registerApi(app, {
    config,
    launcher,
    calls: { get: async (id) => records.get(id) },
    acceptingDialouts: () => acceptance.current,
    ...rest,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, launcher, records, acceptance };
}

export function baseUrl(app: FastifyInstance): string {
  const addr = app.server.address();
  if (addr === null || typeof addr !== 'object') throw new Error('not listening');
  return `http://127.0.0.1:${addr.port}`;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** A Kore `auth` JWT expiring in `expiresIn` seconds (60 by default); `null` leaves `exp` out. */
export async function koreJwt(appId: string, secret: string, expiresIn: number | null = 60): Promise<string> {
  let jwt = new SignJWT({ appId }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (expiresIn !== null) jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
