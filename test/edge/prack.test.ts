// RFC 3262 (100rel) on calls the edge places: a far end written by hand on a UDP socket sends reliable
// provisionals in order, again, and out of order, and checks each PRACK drachtio-srf asks the edge for goes
// inside the early dialog (same Call-ID, the far end's To tag, RAck naming the RSeq and the INVITE's CSeq).
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';
import { headerValues } from './raw-sip.js';

let env: EdgeWithSrf | undefined;
let far: FarEnd | undefined;
afterEach(async () => {
  await far?.close();
  far = undefined;
  await env?.close();
  env = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const header = (msg: string, name: string): string => headerValues(msg, name)[0] ?? '';
const methodOf = (msg: string): string => /^([A-Z]+) /.exec(msg)?.[1] ?? '';

/** A UAS on loopback UDP that answers only as the test tells it. */
class FarEnd {
  readonly requests: string[] = [];
  private peer: { address: string; port: number } | undefined;
  private constructor(private readonly socket: Socket) {
    socket.on('message', (data, rinfo) => {
      this.peer = { address: rinfo.address, port: rinfo.port };
      this.requests.push(data.toString('latin1'));
    });
  }

  static async open(): Promise<FarEnd> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new FarEnd(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The index-th request of a method (0-based), waiting for it. */
  async nth(method: string, index = 0, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.filter((r) => methodOf(r) === method)[index];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} #${index + 1} arrived`);
      await sleep(10);
    }
  }

  count(method: string): number {
    return this.requests.filter((r) => methodOf(r) === method).length;
  }

  /** A response to `req`; the To gets our tag. */
  respond(req: string, statusLine: string, extra: string[] = [], body = ''): void {
    const to = header(req, 'To');
    const lines = [
      `SIP/2.0 ${statusLine}`,
      ...headerValues(req, 'Via').map((v) => `Via: ${v}`),
      `From: ${header(req, 'From')}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=far1`}`,
      `Call-ID: ${header(req, 'Call-ID')}`,
      `CSeq: ${header(req, 'CSeq')}`,
      `Contact: <sip:far@127.0.0.1:${this.port}>`,
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.socket.send(lines.join('\r\n'), this.peer!.port, this.peer!.address);
  }

  /** A reliable provisional to the INVITE (Require: 100rel, RSeq). */
  reliable(invite: string, statusLine: string, rseq: number): void {
    this.respond(invite, statusLine, ['Require: 100rel', `RSeq: ${rseq}`], offer);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

describe('RFC 3262 reliable provisional responses on calls the edge places', () => {
  it('PRACKs each in-order reliable provisional inside the early dialog, once, and never one out of order', async () => {
    env = await startEdgeWithSrf();
    far = await FarEnd.open();
    const seenByApp: string[] = [];
    const answered = env.srf.createUAC(
      `sip:bob@127.0.0.1:${far.port}`,
      { localSdp: offer, headers: { Supported: '100rel' } },
      { cbProvisional: (res: { status: number; get(n: string): string | undefined }) => seenByApp.push(`${res.status}/${res.get('RSeq')}`) },
    );
    const invite = await far.nth('INVITE');
    expect(header(invite, 'Supported')).toContain('100rel');
    const inviteSeq = Number(header(invite, 'CSeq').split(' ')[0]);

    far.reliable(invite, '183 Session Progress', 1);
    const prack1 = await far.nth('PRACK');
    expect(prack1.split('\r\n')[0]).toBe(`PRACK sip:far@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(prack1, 'Call-ID')).toBe(header(invite, 'Call-ID'));
    expect(header(prack1, 'From')).toBe(header(invite, 'From'));
    expect(header(prack1, 'To')).toMatch(/;tag=far1$/);
    expect(header(prack1, 'RAck')).toBe(`1 ${inviteSeq} INVITE`);
    expect(header(prack1, 'CSeq')).toBe(`${inviteSeq + 1} PRACK`);
    far.respond(prack1, '200 OK');

    // The far end sends RSeq 1 again, then RSeq 3 before 2: neither gets a PRACK nor reaches the app.
    far.reliable(invite, '183 Session Progress', 1);
    far.reliable(invite, '183 Session Progress', 3);
    await sleep(400);
    expect(far.count('PRACK')).toBe(1);

    far.reliable(invite, '180 Ringing', 2);
    const prack2 = await far.nth('PRACK', 1);
    expect(header(prack2, 'RAck')).toBe(`2 ${inviteSeq} INVITE`);
    expect(header(prack2, 'CSeq')).toBe(`${inviteSeq + 2} PRACK`);
    far.respond(prack2, '200 OK');
    far.reliable(invite, '183 Session Progress', 3);
    const prack3 = await far.nth('PRACK', 2);
    expect(header(prack3, 'RAck')).toBe(`3 ${inviteSeq} INVITE`);
    far.respond(prack3, '200 OK');

    far.respond(invite, '200 OK', [], offer);
    const dialog = await answered;
    const ack = await far.nth('ACK');
    expect(header(ack, 'CSeq')).toBe(`${inviteSeq} ACK`);
    expect(header(ack, 'To')).toMatch(/;tag=far1$/);
    expect(seenByApp).toEqual(['183/1', '180/2', '183/3']);
    expect(far.count('PRACK')).toBe(3);

    // Requests after the answer go on from the PRACKs' CSeq numbers.
    const bye = dialog.destroy();
    const byeReq = await far.nth('BYE');
    expect(header(byeReq, 'CSeq')).toBe(`${inviteSeq + 4} BYE`);
    far.respond(byeReq, '200 OK');
    await bye;
    expect(env.edge.dialogCount).toBe(0);
  });

  it('repeats a PRACK the far end did not answer within its own transaction, not as a new one', async () => {
    env = await startEdgeWithSrf({ timers: { T1: 100 } });
    far = await FarEnd.open();
    const answered = env.srf.createUAC(`sip:bob@127.0.0.1:${far.port}`, { localSdp: offer, headers: { Supported: '100rel' } });
    const invite = await far.nth('INVITE');
    far.reliable(invite, '183 Session Progress', 1);
    const first = await far.nth('PRACK');
    // The PRACK seems lost: the far end sends its 183 again; the PRACK comes again with the same branch and CSeq.
    far.reliable(invite, '183 Session Progress', 1);
    const again = await far.nth('PRACK', 1);
    expect(again).toBe(first);
    far.respond(again, '200 OK');
    far.respond(invite, '200 OK', [], offer);
    const dialog = await answered;
    await far.nth('ACK');
    const bye = dialog.destroy();
    far.respond(await far.nth('BYE'), '200 OK');
    await bye;
  });

  it('forgets the early dialog when the INVITE fails after a reliable provisional', async () => {
    env = await startEdgeWithSrf();
    far = await FarEnd.open();
    const failed = env.srf.createUAC(`sip:bob@127.0.0.1:${far.port}`, { localSdp: offer, headers: { Supported: '100rel' } }).then(
      () => undefined,
      (err: { status: number }) => err.status,
    );
    const invite = await far.nth('INVITE');
    far.reliable(invite, '183 Session Progress', 1);
    far.respond(await far.nth('PRACK'), '200 OK');
    expect(env.edge.dialogCount).toBe(1);
    far.respond(invite, '486 Busy Here');
    expect(await failed).toBe(486);
    expect(env.edge.dialogCount).toBe(0);
  });
});
