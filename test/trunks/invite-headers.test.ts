import { describe, expect, it } from 'vitest';
import { fromHostFor, inviteHeadersFor, targetUser } from '../../src/trunks/index.js';

const call = { caller: '+15550001111', target: 'tel:+15551234567', conversationId: 'c0ffee' };

describe('INVITE headers a trunk adds', () => {
  it('fills {caller}, {target} and {conversationId} into the trunk headers', () => {
    const headers = inviteHeadersFor(
      { headers: { 'P-Asserted-Identity': '<sip:{caller}@carrier.example>', 'P-Charge-Info': '<sip:{target}@carrier.example>', 'X-Ref': '{conversationId}/{caller}' }, privacy: 'none' },
      call,
    );
    expect(headers).toEqual({
      'P-Asserted-Identity': '<sip:+15550001111@carrier.example>',
      'P-Charge-Info': '<sip:+15551234567@carrier.example>',
      'X-Ref': 'c0ffee/+15550001111',
    });
  });

  it('adds Privacy: id when the trunk asks for it', () => {
    expect(inviteHeadersFor({ headers: {}, privacy: 'id' }, call)).toEqual({ Privacy: 'id' });
    expect(inviteHeadersFor({ headers: {}, privacy: 'none' }, call)).toEqual({});
  });

  it("lets the dialout's sipHeaders replace the trunk's header of the same name, whatever its case", () => {
    const headers = inviteHeadersFor(
      { headers: { 'P-Asserted-Identity': '<sip:{caller}@carrier.example>' }, privacy: 'none' },
      { ...call, sipHeaders: { 'p-asserted-identity': '<sip:+15559990000@other.example>', Identity: 'eyJhbGciOiJFUzI1NiJ9.e30.sig;info=<https://cert.example/x.pem>' } },
    );
    expect(headers).toEqual({ 'p-asserted-identity': '<sip:+15559990000@other.example>', Identity: 'eyJhbGciOiJFUzI1NiJ9.e30.sig;info=<https://cert.example/x.pem>' });
  });

  it('refuses a filled-in value that would break the header (a caller holding a line break)', () => {
    expect(() => inviteHeadersFor({ headers: { 'X-Caller': '{caller}' }, privacy: 'none' }, { ...call, caller: 'a\r\nVia: x' })).toThrow(/header X-Caller .* line breaks/);
  });

  it('takes {target} from a tel: number or a sip: user', () => {
    expect(targetUser('tel:+15551234567')).toBe('+15551234567');
    expect(targetUser('sip:alice@example.com:5070')).toBe('alice');
    expect(targetUser('sip:example.com')).toBe('sip:example.com');
  });

  it("uses the dialout's callerHost, else the trunk's fromHost, else our own address in From", () => {
    expect(fromHostFor({ fromHost: 'carrier.example' }, 'dialer.example', '127.0.0.1')).toBe('dialer.example');
    expect(fromHostFor({ fromHost: 'carrier.example' }, undefined, '127.0.0.1')).toBe('carrier.example');
    expect(fromHostFor({}, undefined, '127.0.0.1')).toBe('127.0.0.1');
    expect(fromHostFor(undefined, undefined, '127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('a dialout whose values would break a trunk header', () => {
  it('is refused before it is accepted, naming the trunk and the header', async () => {
    const { parseConfig } = await import('../../src/config/index.js');
    const { normalizeAudiocodes, DialoutInvalid } = await import('../../src/dialout/index.js');
    const config = parseConfig({
      accounts: [{ name: 'acme', trunks: [{ name: 'pai', host: '127.0.0.1', default: true, headers: { 'P-Asserted-Identity': '<sip:{caller}@carrier.example>' } }] }],
      bots: [{ name: 'Open', account: 'acme', sipUri: 'sip:bot@127.0.0.1' }],
    });
    const ctx = { config, bot: config.bots[0]!, clientId: 'c', conversationId: 'id-1' };
    expect(normalizeAudiocodes({ bot: 'Open', target: 'tel:+15551234567', caller: '+15550001111' }, ctx).caller).toBe('+15550001111');
    let err: unknown;
    try {
      normalizeAudiocodes({ bot: 'Open', target: 'tel:+15551234567', caller: '+1555\r\nVia: x' }, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DialoutInvalid);
    expect((err as Error).message).toMatch(/^trunk "pai": header P-Asserted-Identity of the trunk, filled in for this call, must be a header value without line breaks/);
  });
});
