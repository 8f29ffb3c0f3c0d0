import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllSipp } from '../support/sipp.js';
import { callInAndOut, offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';
import { callIdOf, headerValues, RawSipPeer, statusOf } from './raw-sip.js';

/**
 * RFC 4475's torture messages, byte-exact from test/fixtures/rfc4475, sent over UDP to an embedded edge
 * whose app routes INVITE only (it answers 486). `expected` is what the RFC's notes call for from a UAS:
 * a status, `app` when the request must be parsed and handed to the application, or `drop`.
 */
const expected: Record<string, number | 'app' | 'drop'> = {
  // §3.1.1 valid messages: parsed and handled.
  wsinv: 481, // a To tag naming no dialog of ours (§12.2.2)
  intmeth: 501,
  esc01: 'app',
  escnull: 405,
  esc02: 501,
  lwsdisp: 200,
  longreq: 'app',
  dblreq: 405, // the REGISTER; the INVITE after its Content-Length is ignored
  semiuri: 200,
  transports: 200,
  mpart01: 405,
  unreason: 'drop', // responses matching no transaction
  noreason: 'drop',
  // §3.1.2 invalid messages.
  badinv01: 400,
  clerr: 400,
  ncl: 400,
  scalar02: 400,
  scalarlg: 'drop',
  quotbal: 400,
  ltgtruri: 400,
  lwsruri: 400,
  lwsstart: 400,
  trws: 400,
  escruri: 400,
  baddate: 'app', // a receiver may take the date as it is
  regbadct: 405,
  badaspec: 200, // liberal: the spaces inside <> are skipped
  baddn: 200,
  'baddn.orig': 200,
  badvers: 505,
  mismatch01: 400,
  mismatch02: 400,
  bigcode: 'drop',
  // §3.2 transaction layer.
  badbranch: 200,
  // §3.3 application layer.
  insuf: 400,
  unkscm: 416,
  novelsc: 416,
  unksm2: 405,
  bext01: 420,
  invut: 415,
  regaut01: 405,
  multi01: 400,
  mcl01: 400,
  bcast: 'drop',
  zeromf: 200, // a UAS acts on Max-Forwards 0
  cparam01: 405,
  cparam02: 405,
  regescrt: 405,
  sdp01: 406,
  // §3.4 backward compatibility.
  inv2543: 'app',
  // The archive's extra sample: no SIP version, no Via.
  test: 'drop',
};

const fixture = (name: string) => readFileSync(new URL(`../fixtures/rfc4475/${name}.dat`, import.meta.url));

let env: EdgeWithSrf;
let peer: RawSipPeer;
const seenByApp = new Map<string, { method: string; uri: string; headers: Record<string, string | undefined> }>();
const answers = new Map<string, string[]>();

beforeAll(async () => {
  env = await startEdgeWithSrf({ timers: { T1: 100 } });
  env.srf.invite((req: any, res: any) => {
    seenByApp.set(req.get('Call-ID'), {
      method: req.method,
      uri: req.uri,
      headers: { to: req.get('To'), from: req.get('From'), cseq: req.get('CSeq') },
    });
    // The normal call after the torture goes to bot1 and is answered; every torture INVITE gets 486.
    if (/^sip:bot1@/.test(req.uri)) env.srf.createUAS(req, res, { localSdp: offer }).catch(() => undefined);
    else res.send(486);
  });
  // quotbal's Via names port 5050; every other answer goes to 5060 or back to the source port.
  peer = await RawSipPeer.open([5060, 5050]);
  for (const [name, want] of Object.entries(expected)) {
    const data = fixture(name);
    const callId = callIdOf(data.toString('latin1'));
    if (want === 'drop') {
      answers.set(name, await peer.statelessAnswersTo(data, env.sipTarget, callId));
      continue;
    }
    const before = peer.received.length;
    peer.send(data, env.sipTarget);
    const final = await peer
      .waitFor((m) => callIdOf(m) === callId && (statusOf(m)?.status ?? 0) >= 200, before)
      .catch(() => undefined);
    answers.set(name, final ? [final] : []);
  }
});

afterAll(async () => {
  await stopAllSipp();
  await peer?.close();
  await env?.close();
});

describe('RFC 4475 torture messages at the embedded edge', () => {
  it.each(Object.entries(expected))('%s is answered as the RFC says (%s)', (name, want) => {
    const got = answers.get(name)!;
    const callId = callIdOf(fixture(name).toString('latin1'));
    if (want === 'drop') {
      expect(got, `${name} got an answer`).toEqual([]);
      expect(seenByApp.has(callId)).toBe(false);
      return;
    }
    expect(got.length, `${name} got no final answer`).toBe(1);
    if (want === 'app') {
      expect(seenByApp.has(callId), `${name} did not reach the app`).toBe(true);
      expect(statusOf(got[0])?.status).toBe(486);
    } else {
      expect(statusOf(got[0])?.status).toBe(want);
      if (want !== 200) expect(seenByApp.has(callId)).toBe(false);
    }
  });

  it('answers 405 with Allow naming what is routed, 420 with Unsupported, 415 and 406 with Accept', () => {
    expect(headerValues(answers.get('escnull')![0]!, 'Allow')).toEqual(['ACK, BYE, CANCEL, OPTIONS, INVITE']);
    expect(headerValues(answers.get('bext01')![0]!, 'Unsupported')).toEqual(['nothingSupportsThis, nothingSupportsThisEither']);
    expect(headerValues(answers.get('invut')![0]!, 'Accept')).toEqual(['application/sdp']);
    expect(headerValues(answers.get('sdp01')![0]!, 'Accept')).toEqual(['application/sdp']);
    expect(headerValues(answers.get('lwsdisp')![0]!, 'Allow')).toEqual(['ACK, BYE, CANCEL, OPTIONS, INVITE']);
  });

  it('keeps the odd method, URI and header values of the valid messages as they came', () => {
    const intmeth = answers.get('intmeth')![0]!;
    expect(headerValues(intmeth, 'CSeq')).toEqual(["139122385 !interesting-Method0123456789_*+`.%indeed'~"]);
    expect(headerValues(answers.get('esc02')![0]!, 'CSeq')).toEqual(['29344 RE%47IST%45R']);
    const esc01 = seenByApp.get(callIdOf(fixture('esc01').toString('latin1')))!;
    expect(esc01.uri).toBe('sip:sips%3Auser%40example.com@example.net');
    const inv2543 = seenByApp.get(callIdOf(fixture('inv2543').toString('latin1')))!;
    expect(inv2543.headers.cseq).toBe('56 INVITE');
    // dblreq's second request, after the REGISTER's Content-Length, never becomes a request.
    expect([...seenByApp.keys()].some((id) => id.startsWith('dblreq'))).toBe(false);
  });

  it('stamps received= and rport on the top Via value when two share one line (§18.2.1)', async () => {
    const target = env.sipTarget;
    const callId = 'two-vias-one-line';
    const msg = peer
      .options(target, callId)
      .replace(/^Via: .*$/m, `Via: SIP/2.0/UDP top.example.com:${peer.port};branch=z9hG4bK-top;rport, SIP/2.0/UDP second.example.com;branch=z9hG4bK-second`);
    const [answer] = await peer.statelessAnswersTo(msg, target, callId);
    expect(statusOf(answer)?.status).toBe(200);
    expect(headerValues(answer!, 'Via', 'v')).toEqual([
      `SIP/2.0/UDP top.example.com:${peer.port};branch=z9hG4bK-top;rport=${peer.port};received=${peer.address}`,
      'SIP/2.0/UDP second.example.com;branch=z9hG4bK-second',
    ]);
  });

  it('treats methods as case-sensitive: "invite" is an unknown method, never an INVITE (§7.1)', async () => {
    const callId = 'lower-case-invite';
    const msg = peer
      .options(env.sipTarget, callId)
      .replace(/^OPTIONS /, 'invite ')
      .replace('CSeq: 1 OPTIONS', 'CSeq: 1 invite');
    const [answer] = await peer.statelessAnswersTo(msg, env.sipTarget, callId);
    expect(statusOf(answer)?.status).toBe(501);
    expect(seenByApp.has(callId)).toBe(false);
  });

  it('parses headers named __proto__ and constructor like any other and hands the INVITE to the app', async () => {
    const callId = 'proto-headers';
    const msg = peer
      .options(env.sipTarget, callId)
      .replace(/OPTIONS/g, 'INVITE')
      .replace('Content-Length: 0', '__proto__: polluted\r\nconstructor: x\r\nContent-Length: 0');
    const before = peer.received.length;
    peer.send(msg, env.sipTarget);
    const final = await peer.waitFor((m) => callIdOf(m) === callId && (statusOf(m)?.status ?? 0) >= 200, before);
    expect(statusOf(final)?.status).toBe(486);
    expect(seenByApp.get(callId)?.method).toBe('INVITE');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('over TCP, answers a good message that shares a segment with an unframeable one, then closes', async () => {
    const [host, port] = env.sipTarget.split(':');
    const socket = connect({ host, port: Number(port) });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const local = `${socket.localAddress}:${socket.localPort}`;
    const good = peer
      .options(env.sipTarget, 'tcp-good')
      .replace(/^Via: .*$/m, `Via: SIP/2.0/TCP ${local};branch=z9hG4bK-tcp-good`);
    const bad = 'OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK-bad\r\n\r\n';
    socket.write(good + bad);
    await closed;
    expect(statusOf(text)?.status).toBe(200);
    expect(callIdOf(text)).toBe('tcp-good');
  });

  it('places and takes a normal call right after the torture messages', async () => {
    const { inbound, outbound } = await callInAndOut(env);
    expect(inbound.exitCode, inbound.errors).toBe(0);
    expect(outbound.exitCode, outbound.errors).toBe(0);
  });
});
