import { randomUUID } from 'node:crypto';
import { Dialog, dialogIdFor, dialogKey } from '../dialog/index.js';
import { parseCSeq, SipParseError, SipRequest, SipResponse, tagOf } from '../message/index.js';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  serverTransactionKey,
  transactionTimeout,
} from '../transaction/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import {
  apiResponse,
  sentResponseEcho,
  sipToApp,
  type AppFrame,
  type WireClient,
  type WireServer,
} from '../wire/index.js';
import { hostport, type EdgeContext } from './edge-context.js';
import { allowedMethods, malformation, refusal, supportedOptions } from './request-checks.js';
import {
  contactOverTransport,
  nextHop,
  replaceLocalhost,
  responseDestination,
  stampVia,
  uriOf,
  withoutTag,
} from './message-helpers.js';

type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

interface Incoming {
  transactionId: string;
  owner: WireClient | undefined;
  txn: ServerTransaction;
  dialog: Dialog | undefined;
  /** The To tag our responses carry when the request had none. */
  localTag: string;
  from: Peer;
  cancelled: boolean;
}

/** Headers a response takes from its request; the app cannot change them (§8.2.6.2). */
const requestEchoHeaders = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'content-length', 'record-route']);

/**
 * The UAS core (RFC 3261 §8.2, §12.2.2, §13.3): requests from the network become server transactions
 * delivered to drachtio-srf, and the responses it writes go back through those transactions.
 */
export class UasCore {
  private readonly byKey = new Map<string, Incoming>();
  private readonly byTransactionId = new Map<string, Incoming>();

  constructor(
    private readonly ctx: EdgeContext,
    private readonly wire: WireServer,
  ) {}

  get pendingCount(): number {
    return this.byTransactionId.size;
  }

  receiveRequest(req: SipRequest, from: Peer, raw: string): void {
    const problem = malformation(req);
    // The edge counts it as malformed and answers through rejectMalformed.
    if (problem) throw new SipParseError(problem, 400, req);
    const key = serverTransactionKey(req);
    const existing = key ? this.byKey.get(key) : undefined;
    if (existing) {
      existing.txn.receiveRequest(req);
      return;
    }
    if (req.method === 'ACK') return this.receiveAckFor2xx(req, from, raw);
    if (req.method === 'CANCEL') return this.receiveCancel(req, from, raw);
    const refused = refusal(req);
    if (refused) return this.rejectStateless(req, from, refused.status, refused.reason, undefined, refused.headers);
    const toTag = tagOf(req.get('to'));
    if (toTag) return this.receiveInDialog(req, from, raw, toTag);
    this.receiveOutOfDialog(req, from, raw);
  }

  /** A `sip` frame carrying a response to one of our server transactions. */
  respondFromApp(client: WireClient, frame: AppFrame, app: SipResponse): void {
    const transactionId = frame.tokens[2] ?? '';
    const inc = this.byTransactionId.get(transactionId);
    if (!inc) {
      client.send(apiResponse(frame.msgId, false, `unknown transaction id: ${transactionId}`));
      return;
    }
    if (inc.cancelled || inc.txn.finalResponseSent) {
      client.send(apiResponse(frame.msgId, false, `transaction ${transactionId} already has a final response`));
      return;
    }
    if (app.status === 100) {
      client.send(apiResponse(frame.msgId, true, 'Msg sent:'));
      return;
    }
    const res = this.buildResponse(inc, app.status, app.reason, app);
    let dialogId = inc.dialog?.id ?? '';
    const req = inc.txn.request;
    let raw: string;
    try {
      raw = inc.txn.respond(res);
    } catch (err) {
      client.send(apiResponse(frame.msgId, false, (err as Error).message));
      return;
    }
    if (req.method === 'INVITE' && app.status >= 200 && app.status < 300) {
      const dialog = inc.dialog ?? this.createDialog(inc, res, client);
      dialogId = dialog.id;
      this.retransmitAnswer(dialog, res, inc.txn.responseDestination, parseCSeq(req.get('cseq')).seq);
    } else if (req.method === 'BYE' && inc.dialog && app.status >= 200) {
      this.ctx.removeDialog(inc.dialog);
    }
    client.send(sentResponseEcho(frame.msgId, raw, inc.txn.responseDestination, transactionId, dialogId));
  }

  private receiveOutOfDialog(req: SipRequest, from: Peer, raw: string): void {
    const owner = this.wire.clientFor(req.method);
    if (!owner) {
      if (req.method === 'OPTIONS') return this.rejectStateless(req, from, 200, 'OK');
      const anyApp = [...this.wire.clients].some((c) => c.authenticated);
      if (!anyApp) return this.rejectStateless(req, from, 503, 'Service Unavailable');
      // §8.2.1: 405 names what is allowed.
      return this.rejectStateless(req, from, 405, 'Method Not Allowed', undefined, [['Allow', this.allow()]]);
    }
    const inc = this.createTransaction(req, from, owner, undefined);
    inc.owner!.send(sipToApp('network', raw, from, inc.transactionId, ''));
  }

  private receiveInDialog(req: SipRequest, from: Peer, raw: string, toTag: string): void {
    const ctx = this.ctx;
    const dialog = ctx.dialogsByKey.get(dialogKey(req.get('call-id') ?? '', toTag, tagOf(req.get('from')) ?? ''));
    const owner = dialog ? ctx.dialogOwners.get(dialog.id) : undefined;
    if (!dialog || !owner) return this.rejectStateless(req, from, 481, 'Call/Transaction Does Not Exist');
    const seq = parseCSeq(req.get('cseq')).seq;
    // §12.2.2: a CSeq lower than the last one seen is out of order.
    if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) {
      return this.rejectStateless(req, from, 500, 'Server Internal Error');
    }
    dialog.remoteSeq = seq;
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const contact = req.get('contact');
      if (contact) dialog.remoteTarget = uriOf(contact);
    }
    const inc = this.createTransaction(req, from, owner, dialog);
    owner.send(sipToApp('network', raw, from, inc.transactionId, dialog.id));
  }

  private receiveAckFor2xx(req: SipRequest, from: Peer, raw: string): void {
    const ctx = this.ctx;
    const toTag = tagOf(req.get('to'));
    if (!toTag) return;
    const dialog = ctx.dialogsByKey.get(dialogKey(req.get('call-id') ?? '', toTag, tagOf(req.get('from')) ?? ''));
    if (!dialog) return;
    const seq = parseCSeq(req.get('cseq')).seq;
    if (!dialog.unackedAnswer || dialog.unackedAnswer.seq !== seq) return;
    dialog.unackedAnswer.stop();
    dialog.unackedAnswer = undefined;
    ctx.dialogOwners.get(dialog.id)?.send(sipToApp('network', raw, from, randomUUID(), dialog.id));
  }

  /** §9.2: CANCEL answers 200 itself; the INVITE it matches gets a 487 and the app hears of it. */
  private receiveCancel(req: SipRequest, from: Peer, raw: string): void {
    const inviteKey = serverTransactionKey(req, 'INVITE');
    const invite = inviteKey ? this.byKey.get(inviteKey) : undefined;
    if (!invite || !(invite.txn instanceof InviteServerTransaction)) {
      return this.rejectStateless(req, from, 481, 'Call/Transaction Does Not Exist');
    }
    this.rejectStateless(req, from, 200, 'OK', invite.localTag);
    if (invite.txn.finalResponseSent || invite.cancelled) return;
    invite.cancelled = true;
    invite.txn.respond(this.buildResponse(invite, 487, 'Request Terminated'));
    invite.owner?.send(sipToApp('network', raw, from, invite.transactionId, ''));
  }

  private createTransaction(req: SipRequest, from: Peer, owner: WireClient, dialog: Dialog | undefined): Incoming {
    const transactionId = randomUUID();
    const key = serverTransactionKey(req) ?? transactionId;
    const dest = responseDestination(req, from);
    const user = {
      onTerminated: () => {
        this.byKey.delete(key);
        this.byTransactionId.delete(transactionId);
      },
    };
    const txn =
      req.method === 'INVITE'
        ? new InviteServerTransaction(req, dest, this.ctx.send, this.ctx.timers, user)
        : new NonInviteServerTransaction(req, dest, this.ctx.send, this.ctx.timers, user);
    const inc: Incoming = {
      transactionId,
      owner,
      txn,
      dialog,
      localTag: dialog?.localTag ?? this.ctx.newTag(),
      from,
      cancelled: false,
    };
    this.byKey.set(key, inc);
    this.byTransactionId.set(transactionId, inc);
    // §17.2.1: a 100 Trying at once stops the caller's INVITE retransmissions.
    if (txn instanceof InviteServerTransaction) txn.respond(this.buildResponse(inc, 100, 'Trying'));
    return inc;
  }

  private buildResponse(inc: Incoming, status: number, reason: string, app?: SipResponse): SipResponse {
    const req = inc.txn.request;
    const res = responseTo(req, inc.from, status, reason, status > 100 ? inc.localTag : undefined);
    if (req.method === 'INVITE' && status > 100 && status < 300 && !inc.dialog) {
      for (const rr of req.getAll('record-route')) res.append('Record-Route', rr);
    }
    const local = hostport(this.ctx.advertised);
    if (app) {
      for (const key of app.headerKeys()) {
        if (requestEchoHeaders.has(key)) continue;
        const values = app.getAll(key);
        res.set(key, key === 'contact' ? values.map((v) => replaceLocalhost(v, local)) : values);
      }
      res.body = app.body;
    }
    if (!res.has('contact') && status > 100 && status < 300 && (req.method === 'INVITE' || req.method === 'SUBSCRIBE')) {
      res.set('Contact', inc.dialog?.localContact ?? this.ctx.contact(undefined, inc.from.transport));
    } else if (res.has('contact') && !inc.dialog) {
      res.set('Contact', contactOverTransport(res.get('contact')!, inc.from.transport));
    }
    return res;
  }

  /** §12.1.1: our 2xx to an INVITE creates the UAS dialog. */
  private createDialog(inc: Incoming, res: SipResponse, owner: WireClient): Dialog {
    const req = inc.txn.request;
    const callId = req.get('call-id') ?? '';
    const remoteTag = tagOf(req.get('from')) ?? '';
    const contact = req.get('contact');
    const dialog = new Dialog(
      dialogIdFor(callId, remoteTag),
      'uas',
      callId,
      inc.localTag,
      remoteTag,
      withoutTag(req.get('to') ?? ''),
      withoutTag(req.get('from') ?? ''),
      Math.floor(Math.random() * 30000) + 1,
      parseCSeq(req.get('cseq')).seq,
      contact ? uriOf(contact) : req.uri,
      req.getAll('record-route').flatMap((v) => v.split(/,(?=\s*<)/).map((s) => s.trim())),
      res.get('contact') ?? this.ctx.contact(undefined),
    );
    this.ctx.addDialog(dialog, owner);
    return dialog;
  }

  /** §13.3.1.4: the UAS core repeats its 2xx until the ACK comes, then gives up after 64*T1 with a BYE. */
  private retransmitAnswer(dialog: Dialog, res: SipResponse, to: Peer, seq: number): void {
    const ctx = this.ctx;
    const raw = res.toString();
    let interval = ctx.timers.T1;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      ctx.transport.send(raw, to);
      interval = Math.min(2 * interval, ctx.timers.T2);
      timer = setTimeout(tick, interval);
    };
    // A reliable transport delivers the 2xx once; only the wait for the ACK remains.
    if (!isReliable(to)) timer = setTimeout(tick, interval);
    const giveUp = setTimeout(() => this.onAnswerNotAcked(dialog), transactionTimeout(ctx.timers));
    dialog.unackedAnswer?.stop();
    dialog.unackedAnswer = {
      seq,
      stop: () => {
        clearTimeout(timer);
        clearTimeout(giveUp);
      },
    };
  }

  /** No ACK for our 2xx: end the dialog with a BYE and tell the app, as drachtio-server does. */
  private onAnswerNotAcked(dialog: Dialog): void {
    const ctx = this.ctx;
    dialog.unackedAnswer?.stop();
    dialog.unackedAnswer = undefined;
    const owner = ctx.dialogOwners.get(dialog.id);
    const bye = dialog.createRequest('BYE');
    bye.set('Max-Forwards', '70');
    void nextHop(bye)
      .then((to) => {
        bye.prepend('Via', ctx.via(ctx.newBranch(), to.transport));
        const raw = ctx.send(bye, to);
        owner?.send(sipToApp('application', raw, to, 'unsolicited', dialog.id));
      })
      .catch(() => undefined);
    ctx.removeDialog(dialog);
  }

  /** A request we could read only in part: answered statelessly, to its Via or else to where it came from. */
  rejectMalformed(req: SipRequest, from: Peer, status: number, problem: string): void {
    this.rejectStateless(req, from, status, reasonPhrase(problem));
  }

  private rejectStateless(
    req: SipRequest,
    from: Peer,
    status: number,
    reason: string,
    toTag?: string,
    headers: Array<[string, string]> = [],
  ): void {
    if (req.method === 'ACK' || req.getAll('via').length === 0) return;
    const res = responseTo(req, from, status, reason, toTag ?? (status > 100 ? this.ctx.newTag() : undefined));
    if (req.method === 'OPTIONS' && status === 200) {
      res.set('Allow', this.allow()).set('Accept', 'application/sdp').set('Supported', supportedOptions.join(', '));
    }
    for (const [name, value] of headers) res.set(name, value);
    this.ctx.send(res, responseDestination(req, from));
  }

  private allow(): string {
    return allowedMethods([...this.wire.clients].filter((c) => c.authenticated).flatMap((c) => [...c.routes]));
  }

  close(): void {
    for (const inc of [...this.byKey.values()]) inc.txn.terminate();
  }
}

/** §8.2.6.2: a response copies Via, From, To, Call-ID and CSeq from its request. */
function responseTo(req: SipRequest, from: Peer, status: number, reason: string, toTag: string | undefined): SipResponse {
  const res = new SipResponse(status, reason);
  const vias = [...req.getAll('via')];
  try {
    if (vias[0]) vias[0] = stampVia(vias[0], from);
  } catch {
    // A Via we cannot read is echoed as it came.
  }
  res.set('Via', vias);
  res.set('From', req.get('from') ?? '');
  const to = req.get('to') ?? '';
  res.set('To', toTag && !safeTag(to) ? `${to};tag=${toTag}` : to);
  res.set('Call-ID', req.get('call-id') ?? '');
  res.set('CSeq', req.get('cseq') ?? '');
  return res;
}

/** A problem description made safe for a status line: printable, one line, short. */
function reasonPhrase(problem: string): string {
  return problem.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

function safeTag(value: string): string | undefined {
  try {
    return tagOf(value);
  } catch {
    return undefined;
  }
}
