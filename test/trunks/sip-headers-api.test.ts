// A dialout's sipHeaders in both dialects: X-*, P-* and Identity reach the call; any other name, or a value
// that would break the INVITE, is refused with 400 naming what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, basic, koreJwt, postJson, startApi, type ApiUnderTest } from '../api/fixture.js';

let api: ApiUnderTest;
let url: string;
const acPath = '/api/v1/actions/dialout';
const korePath = '/api/1.1/public/bot/Bot1/smartassist/dialout';
const dialer = basic('dialer1', 's3cret');

beforeAll(async () => {
  api = await startApi();
  url = baseUrl(api.app);
});
afterAll(async () => {
  await api.app.close();
});

const good = {
  'X-Campaign': 'spring; region=eu',
  'P-Asserted-Identity': '<sip:+15550001111@carrier.example>',
  Identity: 'eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiJ9.eyJhdHRlc3QiOiJBIn0.c2ln;info=<https://cert.example/cert.pem>;alg=ES256;ppt=shaken',
};

describe('sipHeaders on a dialout', () => {
  it('AudioCodes: X-*, P-* and Identity are taken and handed to the call', async () => {
    const res = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', sipHeaders: good }, { authorization: dialer });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(api.launcher.last.sipHeaders).toEqual(good);
  });

  it('Kore: the same field, the same rules', async () => {
    const res = await postJson(`${url}${korePath}`, { target: 'tel:+15551234567', sipHeaders: { 'x-lower': 'ok', identity: 'abc' } }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(api.launcher.last.sipHeaders).toEqual({ 'x-lower': 'ok', identity: 'abc' });
  });

  it.each([
    ['Via', { Via: 'SIP/2.0/UDP evil.example' }, 'sipHeaders must have header names as keys that are X-* or P-* names or Identity'],
    ['From', { From: '<sip:boss@example.com>' }, 'sipHeaders must have header names as keys that are X-* or P-* names or Identity'],
    ['Call-ID', { 'Call-ID': 'x' }, 'sipHeaders must have header names as keys'],
    ['X-', { 'X-': 'no name after the prefix' }, 'sipHeaders must have header names as keys'],
    ['X-Bad Name', { 'X-Bad Name': 'x' }, 'sipHeaders must have header names as keys'],
    ['X-Inject', { 'X-Inject': 'a\r\nVia: SIP/2.0/UDP evil.example' }, 'sipHeaders.X-Inject must be a header value without line breaks or control characters'],
    ['X-Nul', { 'X-Nul': 'a\u0000b' }, 'sipHeaders.X-Nul must be a header value without line breaks'],
    ['X-Long', { 'X-Long': 'a'.repeat(4097) }, 'sipHeaders.X-Long must NOT have more than 4096 characters'],
    ['X-Obj', { 'X-Obj': { nested: true } }, 'sipHeaders.X-Obj must be string'],
    ['21 headers', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])), 'sipHeaders must NOT have more than 20 properties'],
  ])('400 in both dialects: %s', async (_label, sipHeaders, error) => {
    const placed = api.launcher.placed.length;
    const ac = await postJson(`${url}${acPath}`, { bot: 'Bot1', target: 'tel:+15551234567', sipHeaders }, { authorization: dialer });
    expect(ac.status).toBe(400);
    expect(ac.body.error).toContain(error);
    const kore = await postJson(`${url}${korePath}`, { target: 'tel:+15551234567', sipHeaders }, { auth: await koreJwt('dialer1', 's3cret') });
    expect(kore.status).toBe(400);
    expect(kore.body.error).toContain(error);
    expect(api.launcher.placed.length).toBe(placed);
  });
});
