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

  /** A response to `req`; the To gets our tag (`toTag`, one per fork when the far end forks), the Contact `contactUser`. */
  respond(req: string, statusLine: string, extra: string[] = [], body = '', toTag = 'far1', contactUser = 'far'): void {
    const to = header(req, 'To');
    const lines = [
      `SIP/2.0 ${statusLine}`,
      ...headerValues(req, 'Via').map((v) => `Via: ${v}`),
      `From: ${header(req, 'From')}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${toTag}`}`,
      `Call-ID: ${header(req, 'Call-ID')}`,
      `CSeq: ${header(req, 'CSeq')}`,
      `Contact: <sip:${contactUser}@127.0.0.1:${this.port}>`,
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.socket.send(lines.join('\r\n'), this.peer!.port, this.peer!.address);
  }

  /** A reliable provisional to the INVITE (Require: 100rel, RSeq). */
  reliable(invite: string, statusLine: string, rseq: number, toTag = 'far1', contactUser = 'far'): void {
    this.respond(invite, statusLine, ['Require: 100rel', `RSeq: ${rseq}`], offer, toTag, contactUser);
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

  it('PRACKs each fork of a forked INVITE in its own early dialog, each in its own RSeq order', async () => {
    env = await startEdgeWithSrf();
    far = await FarEnd.open();
    const seenByApp: string[] = [];
    let destroyed = false;
    const answered = env.srf.createUAC(
      `sip:bob@127.0.0.1:${far.port}`,
      { localSdp: offer, headers: { Supported: '100rel' } },
      { cbProvisional: (res: { status: number; get(n: string): string | undefined }) => seenByApp.push(`${res.status}/${res.get('RSeq')}`) },
    );
    const invite = await far.nth('INVITE');
    const inviteSeq = Number(header(invite, 'CSeq').split(' ')[0]);

    // Fork A (To tag forkA) and fork B (forkB, its own Contact) each send a reliable 183.
    far.reliable(invite, '183 Session Progress', 1, 'forkA', 'a');
    const prackA1 = await far.nth('PRACK');
    far.respond(prackA1, '200 OK');
    far.reliable(invite, '183 Session Progress', 7, 'forkB', 'b');
    const prackB7 = await far.nth('PRACK', 1);
    far.respond(prackB7, '200 OK');
    expect(prackA1.split('\r\n')[0]).toBe(`PRACK sip:a@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(prackA1, 'To')).toMatch(/;tag=forkA$/);
    expect(header(prackA1, 'RAck')).toBe(`1 ${inviteSeq} INVITE`);
    expect(header(prackA1, 'CSeq')).toBe(`${inviteSeq + 1} PRACK`);
    // Fork B's PRACK goes in fork B's early dialog, whose CSeq numbers start again from the INVITE's.
    expect(prackB7.split('\r\n')[0]).toBe(`PRACK sip:b@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(prackB7, 'Call-ID')).toBe(header(invite, 'Call-ID'));
    expect(header(prackB7, 'From')).toBe(header(invite, 'From'));
    expect(header(prackB7, 'To')).toMatch(/;tag=forkB$/);
    expect(header(prackB7, 'RAck')).toBe(`7 ${inviteSeq} INVITE`);
    expect(header(prackB7, 'CSeq')).toBe(`${inviteSeq + 1} PRACK`);
    expect(env.edge.dialogCount).toBe(2);

    // Each fork's RSeq order is its own: fork B's 7 again and its 9 before 8 get no PRACK, fork A's 2 does.
    far.reliable(invite, '183 Session Progress', 7, 'forkB', 'b');
    far.reliable(invite, '183 Session Progress', 9, 'forkB', 'b');
    far.reliable(invite, '180 Ringing', 2, 'forkA', 'a');
    const prackA2 = await far.nth('PRACK', 2);
    far.respond(prackA2, '200 OK');
    await sleep(300);
    expect(far.count('PRACK')).toBe(3);
    expect(header(prackA2, 'To')).toMatch(/;tag=forkA$/);
    expect(header(prackA2, 'RAck')).toBe(`2 ${inviteSeq} INVITE`);
    expect(header(prackA2, 'CSeq')).toBe(`${inviteSeq + 2} PRACK`);
    far.reliable(invite, '180 Ringing', 8, 'forkB', 'b');
    const prackB8 = await far.nth('PRACK', 3);
    far.respond(prackB8, '200 OK');
    expect(header(prackB8, 'To')).toMatch(/;tag=forkB$/);
    expect(header(prackB8, 'RAck')).toBe(`8 ${inviteSeq} INVITE`);
    expect(header(prackB8, 'CSeq')).toBe(`${inviteSeq + 2} PRACK`);
    expect(seenByApp).toEqual(['183/1', '183/7', '180/2', '180/8']);

    // Fork B answers: the app's call is fork B's dialog, and fork A's early dialog ends.
    far.respond(invite, '200 OK', [], offer, 'forkB', 'b');
    const dialog = await answered;
    dialog.on('destroy', () => (destroyed = true));
    const ackB = await far.nth('ACK');
    expect(header(ackB, 'To')).toMatch(/;tag=forkB$/);
    expect(header(ackB, 'CSeq')).toBe(`${inviteSeq} ACK`);
    expect(env.edge.dialogCount).toBe(1);

    // Fork A answers too (RFC 3261 §13.2.2.4): it is ACKed and ended with a BYE in its own dialog, after its
    // PRACKs' CSeq numbers; its retransmitted 2xx gets the ACK again and no second BYE.
    far.respond(invite, '200 OK', [], offer, 'forkA', 'a');
    const ackA = await far.nth('ACK', 1);
    expect(ackA.split('\r\n')[0]).toBe(`ACK sip:a@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(ackA, 'To')).toMatch(/;tag=forkA$/);
    expect(header(ackA, 'CSeq')).toBe(`${inviteSeq} ACK`);
    const byeA = await far.nth('BYE');
    expect(byeA.split('\r\n')[0]).toBe(`BYE sip:a@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(byeA, 'To')).toMatch(/;tag=forkA$/);
    expect(header(byeA, 'CSeq')).toBe(`${inviteSeq + 3} BYE`);
    far.respond(byeA, '200 OK');
    far.respond(invite, '200 OK', [], offer, 'forkA', 'a');
    const ackAgain = await far.nth('ACK', 2);
    expect(header(ackAgain, 'To')).toMatch(/;tag=forkA$/);
    await sleep(300);
    expect(far.count('BYE')).toBe(1);
    expect(destroyed).toBe(false);
    expect(env.edge.dialogCount).toBe(1);

    // The app's call goes on in fork B's dialog, after fork B's PRACKs.
    const bye = dialog.destroy();
    const byeB = await far.nth('BYE', 1);
    expect(header(byeB, 'To')).toMatch(/;tag=forkB$/);
    expect(header(byeB, 'CSeq')).toBe(`${inviteSeq + 3} BYE`);
    far.respond(byeB, '200 OK');
    await bye;
    expect(env.edge.dialogCount).toBe(0);
  });

  it('a fork that answers without reliable provisionals is still ACKed and ended after another fork answered', async () => {
    env = await startEdgeWithSrf();
    far = await FarEnd.open();
    const answered = env.srf.createUAC(`sip:bob@127.0.0.1:${far.port}`, { localSdp: offer, headers: { Supported: '100rel' } });
    const invite = await far.nth('INVITE');
    const inviteSeq = Number(header(invite, 'CSeq').split(' ')[0]);
    far.reliable(invite, '183 Session Progress', 1, 'forkA', 'a');
    far.respond(await far.nth('PRACK'), '200 OK');
    far.respond(invite, '200 OK', [], offer, 'forkA', 'a');
    const dialog = await answered;
    await far.nth('ACK');
    far.respond(invite, '200 OK', [], offer, 'forkC', 'c');
    const ackC = await far.nth('ACK', 1);
    expect(header(ackC, 'To')).toMatch(/;tag=forkC$/);
    const byeC = await far.nth('BYE');
    expect(byeC.split('\r\n')[0]).toBe(`BYE sip:c@127.0.0.1:${far.port} SIP/2.0`);
    expect(header(byeC, 'CSeq')).toBe(`${inviteSeq + 1} BYE`);
    far.respond(byeC, '200 OK');
    const bye = dialog.destroy();
    const byeA = await far.nth('BYE', 1);
    expect(header(byeA, 'To')).toMatch(/;tag=forkA$/);
    expect(header(byeA, 'CSeq')).toBe(`${inviteSeq + 2} BYE`);
    far.respond(byeA, '200 OK');
    await bye;
    expect(env.edge.dialogCount).toBe(0);
  });
});
