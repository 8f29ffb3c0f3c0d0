import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { DialoutInvalid, normalizeAudiocodes, normalizeKore, parseTarget, resolveCaller, routeTarget } from '../../src/dialout/index.js';

const config = parseConfig({
  accounts: [
    {
      name: 'acme',
      trunks: [
        { name: 'carrier1', host: '127.0.0.1', port: 5080, default: true },
        { name: 'carrier2', host: '10.0.0.2', port: 5070 },
      ],
    },
    { name: 'bare', trunks: [{ name: 'a', host: 'a.example', port: 5060 }, { name: 'b', host: 'b.example', port: 5060 }] },
  ],
  bots: [
    { name: 'Single', account: 'acme', sipUri: 'sip:bot@127.0.0.1', dialoutAllowedCallers: ['+15550001111'] },
    { name: 'Listed', account: 'acme', sipUri: 'sip:bot@127.0.0.1', dialoutAllowedCallers: ['+1555000222', '+1555000333'] },
    { name: 'Open', account: 'bare', sipUri: 'sip:bot@127.0.0.1' },
  ],
});
const bot = (name: string) => config.bots.find((b) => b.name === name)!;
const acme = config.accounts[0]!;
const bare = config.accounts[1]!;

function invalidField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DialoutInvalid) return err.field;
    throw err;
  }
  throw new Error('no DialoutInvalid thrown');
}

describe('target', () => {
  it('accepts tel: with E.164 digits and sip: URIs', () => {
    expect(parseTarget('tel:+15551234567')).toEqual({ scheme: 'tel', number: '+15551234567' });
    expect(parseTarget('tel:911234567890')).toEqual({ scheme: 'tel', number: '911234567890' });
    expect(parseTarget('sip:1234567890@1.23.34.67:1234')).toEqual({ scheme: 'sip', uri: 'sip:1234567890@1.23.34.67:1234', user: '1234567890', host: '1.23.34.67', port: 1234 });
  });

  it.each(['tel:+1-555-123', 'tel:', 'tel:+0123', 'tel:+1234567890123456', 'mailto:a@b', 'sip:', 'sip:a@b:70000', '+15551234567'])('rejects %s', (t) => {
    expect(invalidField(() => parseTarget(t))).toBe('target');
  });
});

describe('routing', () => {
  it("sends tel: targets through the account's default trunk", () => {
    const r = routeTarget('tel:+15551234567', acme);
    expect(r.requestUri).toBe('sip:+15551234567@127.0.0.1:5080');
    expect(r.trunk?.name).toBe('carrier1');
  });

  it('sends tel: targets through a named trunk', () => {
    const r = routeTarget('tel:+15551234567', acme, 'carrier2');
    expect(r.requestUri).toBe('sip:+15551234567@10.0.0.2:5070');
    expect(r.trunk?.name).toBe('carrier2');
  });

  it('sends sip: targets to their own host unless a trunk is named', () => {
    expect(routeTarget('sip:alice@192.0.2.5:5062', acme)).toEqual({ requestUri: 'sip:alice@192.0.2.5:5062' });
    const viaTrunk = routeTarget('sip:alice@192.0.2.5:5062', acme, 'carrier2');
    expect(viaTrunk.requestUri).toBe('sip:alice@10.0.0.2:5070');
    expect(viaTrunk.trunk?.name).toBe('carrier2');
  });

  it('rejects an unknown trunk and a tel: target with no default trunk, naming trunk', () => {
    expect(invalidField(() => routeTarget('tel:+15551234567', acme, 'nope'))).toBe('trunk');
    expect(invalidField(() => routeTarget('tel:+15551234567', bare))).toBe('trunk');
  });
});

describe('caller rules (dialoutAllowedCallers)', () => {
  it('one allowed caller makes caller optional and is its default', () => {
    expect(resolveCaller(bot('Single'), undefined)).toBe('+15550001111');
    expect(resolveCaller(bot('Single'), '+15550001111')).toBe('+15550001111');
    expect(invalidField(() => resolveCaller(bot('Single'), '+19999'))).toBe('caller');
  });

  it('several allowed callers are a whitelist and caller is required', () => {
    expect(resolveCaller(bot('Listed'), '+1555000333')).toBe('+1555000333');
    expect(invalidField(() => resolveCaller(bot('Listed'), '+1555000444'))).toBe('caller');
    expect(invalidField(() => resolveCaller(bot('Listed'), undefined))).toBe('caller');
  });

  it('no list allows any caller but still needs one', () => {
    expect(resolveCaller(bot('Open'), '1-800-111-111')).toBe('1-800-111-111');
    expect(invalidField(() => resolveCaller(bot('Open'), undefined))).toBe('caller');
  });
});

describe('normalizing', () => {
  const ctx = { config, bot: bot('Single'), clientId: 'dialer1', conversationId: 'c-1' };

  it('AudioCodes: seconds become milliseconds and seed defaults apply', () => {
    const req = normalizeAudiocodes({ bot: 'Single', target: 'tel:+15551234567' }, ctx);
    expect(req).toMatchObject({
      dialect: 'audiocodes',
      conversationId: 'c-1',
      clientId: 'dialer1',
      caller: '+15550001111',
      requestUri: 'sip:+15551234567@127.0.0.1:5080',
      answerTimeoutMs: 20000,
      voicemailEndTimeoutMs: 20000,
      machineDetection: 'disabled',
      amd: { thresholdWordCount: 9, noSpeechTimeoutMs: 5000, decisionTimeoutMs: 15000, toneTimeoutMs: 20000, greetingCompletionTimeoutMs: 2000 },
    });
    expect(req.amdEventsSubscription).toBeUndefined();
    const full = normalizeAudiocodes(
      { bot: 'Single', target: 'sip:bob@192.0.2.1', callerHost: 'example.com', callerDisplayName: 'Acme', notifyUrl: 'http://n/x', metadata: { a: 1 }, answerTimeoutSec: 45, machineDetection: 'detect', voicemailEndTimeoutSec: 7 },
      ctx,
    );
    expect(full).toMatchObject({ callerHost: 'example.com', callerDisplayName: 'Acme', notifyUrl: 'http://n/x', metadata: { a: 1 }, answerTimeoutMs: 45000, machineDetection: 'detect', voicemailEndTimeoutMs: 7000, requestUri: 'sip:bob@192.0.2.1' });
    expect(full.trunk).toBeUndefined();
  });

  it('Kore: both spellings, timers, threshold, subscription and ids', () => {
    const req = normalizeKore(
      {
        target: 'tel:911234567890',
        trunk: 'carrier2',
        notifyurl: 'https://dialer.example/notify',
        notifyHeaders: { 'x-channel-type': 'X42_IVR' },
        timeoutInMs: 60000,
        timers: { noSpeechTimeoutMs: 12000, greetingCompletionTimeoutMs: 10000 },
        machinedetection: 'disconnect',
        thresholdWordCount: 4,
        amdEventsSubscription: [],
      },
      ctx,
      { sid: 's-1', callId: 'call-1' },
    );
    expect(req).toMatchObject({
      dialect: 'kore',
      sid: 's-1',
      callId: 'call-1',
      requestUri: 'sip:911234567890@10.0.0.2:5070',
      notifyUrl: 'https://dialer.example/notify',
      notifyHeaders: { 'x-channel-type': 'X42_IVR' },
      answerTimeoutMs: 60000,
      machineDetection: 'disconnect',
      amd: { thresholdWordCount: 4, noSpeechTimeoutMs: 12000, decisionTimeoutMs: 15000, toneTimeoutMs: 20000, greetingCompletionTimeoutMs: 10000 },
      amdEventsSubscription: [],
    });
  });

  it('Kore: timers.speechEndThresholdMs reaches the AMD settings only when given', () => {
    const ids = { sid: 's', callId: 'c' };
    expect(normalizeKore({ target: 'tel:+1555', timers: { speechEndThresholdMs: 1200 } }, ctx, ids).amd.speechEndThresholdMs).toBe(1200);
    expect(normalizeKore({ target: 'tel:+1555' }, ctx, ids).amd).not.toHaveProperty('speechEndThresholdMs');
  });

  it('Kore: conflicting spellings are refused, naming the field', () => {
    const ids = { sid: 's', callId: 'c' };
    expect(invalidField(() => normalizeKore({ target: 'tel:+1555', notifyUrl: 'http://a/', notifyurl: 'http://b/' }, ctx, ids))).toBe('notifyUrl');
    expect(invalidField(() => normalizeKore({ target: 'tel:+1555', machineDetection: 'detect', machinedetection: 'disabled' }, ctx, ids))).toBe('machineDetection');
  });
});

describe('trunk transport', () => {
  it('a TCP trunk gets ;transport=tcp in the Request-URI', () => {
    const account = { name: 'a', trunks: [{ name: 't', host: '10.0.0.1', port: 5062, transport: 'tcp' as const, default: true }] };
    expect(routeTarget('tel:+15551234567', account).requestUri).toBe('sip:+15551234567@10.0.0.1:5062;transport=tcp');
    expect(routeTarget('sip:bob@example.com', account, 't').requestUri).toBe('sip:bob@10.0.0.1:5062;transport=tcp');
  });
});

describe('TLS targets and trunks', () => {
  const account = {
    name: 'a',
    trunks: [
      { name: 'secure', host: '10.0.0.1', port: 5061, transport: 'tls' as const, default: true },
      { name: 'plain', host: '10.0.0.2', port: 5060, transport: 'udp' as const, default: false },
      { name: 'srv', host: 'carrier.example', transport: 'tls' as const, default: false },
    ],
  };

  it('a TLS trunk gets ;transport=tls; a trunk that is a domain without a port is written without one, for DNS to resolve', () => {
    expect(routeTarget('tel:+15551234567', account, undefined, { tls: true }).requestUri).toBe('sip:+15551234567@10.0.0.1:5061;transport=tls');
    expect(routeTarget('tel:+15551234567', account, 'srv', { tls: true }).requestUri).toBe('sip:+15551234567@carrier.example;transport=tls');
  });

  it('sips: targets go where the edge has TLS: to their own host, or through a TLS trunk keeping sips:', () => {
    expect(routeTarget('sips:bob@192.0.2.9', account, undefined, { tls: true }).requestUri).toBe('sips:bob@192.0.2.9');
    expect(routeTarget('sip:bob@192.0.2.9;transport=tls', account, undefined, { tls: true }).requestUri).toBe('sip:bob@192.0.2.9;transport=tls');
    expect(routeTarget('sips:bob@example.com', account, 'secure', { tls: true }).requestUri).toBe('sips:bob@10.0.0.1:5061');
  });

  it('sips: and transport=tls are refused without TLS on the edge, and through a trunk that is not TLS', () => {
    expect(() => routeTarget('sips:bob@192.0.2.9', account)).toThrow(/sips: URI, which needs SIP over TLS/);
    expect(() => routeTarget('sip:bob@192.0.2.9;transport=tls', account)).toThrow(/transport=tls is not one outdial speaks/);
    expect(() => routeTarget('sips:bob@example.com', account, 'plain', { tls: true })).toThrow(/target asks for TLS .* trunk "plain" uses udp/);
  });
});
