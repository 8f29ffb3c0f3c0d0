import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf;
beforeAll(async () => {
  env = await startEdgeWithSrf();
});
afterEach(() => stopAllSipp());
afterAll(() => env.close());

describe('digest challenges are answered by drachtio-srf through the edge', () => {
  it('401 with WWW-Authenticate: SIPp verifies the credentials and answers', async () => {
    const sipp = await startSipp({
      scenario: 'uas-auth.xml',
      keys: { statusline: 'SIP/2.0 401 Unauthorized', authheader: 'WWW-Authenticate', username: 'u1', password: 's3cret' },
    });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, {
      localSdp: offer,
      auth: { username: 'u1', password: 's3cret' },
    });
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('407 with Proxy-Authenticate: the retried INVITE carries a correct Proxy-Authorization digest', async () => {
    const sipp = await startSipp({ scenario: 'uas-auth-proxy.xml', traceMessages: true });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, {
      localSdp: offer,
      auth: { username: 'u1', password: 's3cret' },
    });
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    const header = /^Proxy-Authorization: (.*)$/m.exec(result.messages)?.[1] ?? '';
    const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(header)?.[1] ?? '';
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`u1:${param('realm')}:s3cret`);
    const ha2 = md5(`INVITE:${param('uri')}`);
    const expected = param('qop')
      ? md5(`${ha1}:${param('nonce')}:${param('nc')}:${param('cnonce')}:${param('qop')}:${ha2}`)
      : md5(`${ha1}:${param('nonce')}:${ha2}`);
    expect(param('realm')).toBe('outdial.test');
    expect(param('response')).toBe(expected);
  });

  it('a wrong password is refused by SIPp with 403', async () => {
    const sipp = await startSipp({
      scenario: 'uas-auth.xml',
      keys: { statusline: 'SIP/2.0 401 Unauthorized', authheader: 'WWW-Authenticate', username: 'u1', password: 's3cret' },
    });
    const err = await env.srf
      .createUAC(`sip:bob@${sipp.address}`, { localSdp: offer, auth: { username: 'u1', password: 'wrong' } })
      .then(() => undefined, (e: { status: number }) => e);
    expect(err).toMatchObject({ status: 403 });
    await sipp.done;
  });
});
