// How a sip: target's host is looked up (RFC 3263 §4) and which of the addresses DNS gives the account's
// policy lets an INVITE go to.
import { describe, expect, it } from 'vitest';
import { allowedHops, parseTarget, targetLookup } from '../../src/dialout/index.js';

const sip = (text: string) => {
  const target = parseTarget(text, { tls: true });
  if (target.scheme !== 'sip') throw new Error('not a sip: target');
  return target;
};

describe('targetLookup', () => {
  it('chooses the SRV service from transport= and sips:, UDP otherwise; a port means A records only', () => {
    expect(targetLookup(sip('sip:a@PBX.example'))).toEqual({ host: 'pbx.example', transport: 'udp' });
    expect(targetLookup(sip('sip:a@pbx.example;transport=TCP'))).toEqual({ host: 'pbx.example', transport: 'tcp' });
    expect(targetLookup(sip('sip:a@pbx.example;transport=tls'))).toEqual({ host: 'pbx.example', transport: 'tls' });
    expect(targetLookup(sip('sips:a@pbx.example'))).toEqual({ host: 'pbx.example', transport: 'tls' });
    expect(targetLookup(sip('sip:a@pbx.example:5070'))).toEqual({ host: 'pbx.example', port: 5070, transport: 'udp' });
  });

  it('looks nothing up for an IP address', () => {
    expect(targetLookup(sip('sip:a@192.0.2.9'))).toBeUndefined();
    expect(targetLookup(sip('sip:a@[2001:db8::1]:5060'))).toBeUndefined();
  });
});

describe('allowedHops', () => {
  const hop = (address: string, name?: string) => ({ address, port: 5060, transport: 'udp' as const, ...(name !== undefined && { name }) });

  it('under the default policy drops link-local, unspecified and metadata addresses, keeping the order of the rest', () => {
    const found = allowedHops('pbx.example', [hop('169.254.169.254', 'meta.pbx.example'), hop('10.1.2.3', 'pbx.example'), hop('0.0.0.0', 'pbx.example'), hop('127.0.0.1', 'pbx.example')], {});
    expect(found.hops.map((h) => h.address)).toEqual(['10.1.2.3', '127.0.0.1']);
    expect(found.refused).toEqual([
      'pbx.example resolves to 169.254.169.254 (SRV target meta.pbx.example), which is a link-local address',
      'pbx.example resolves to 0.0.0.0, which is an unspecified address',
    ]);
  });

  it('under allowedTargets a listed name vouches for its own addresses; an SRV target it does not list must land in a listed range', () => {
    const account = { allowedTargets: ['pbx.example', '203.0.113.0/24'] };
    const found = allowedHops('pbx.example', [hop('127.0.0.1', 'evil.example'), hop('203.0.113.5', 'sip.other.example'), hop('10.0.0.1', 'pbx.example'), hop('198.51.100.7')], account);
    expect(found.hops.map((h) => h.address)).toEqual(['203.0.113.5', '10.0.0.1']);
    expect(found.refused).toEqual([
      'pbx.example resolves to 127.0.0.1 (SRV target evil.example), which is not in the allowed destinations',
      'pbx.example resolves to 198.51.100.7, which is not in the allowed destinations',
    ]);
    // Not even a listed name opens the metadata service.
    expect(allowedHops('pbx.example', [hop('169.254.169.254', 'pbx.example')], account).refused).toEqual(['pbx.example resolves to 169.254.169.254, which is a link-local address']);
  });
});
