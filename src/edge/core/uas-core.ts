import { randomUUID } from 'node:crypto';
import { dialogFromTheirInvite, type Dialog } from '../dialog/index.js';
import { parseCSeq, SipParseError, uriOf, type SipRequest, type SipResponse, tagOf } from '../message/index.js';
import { responseDestination } from '../routing/index.js';
import { InviteServerTransaction, NonInviteServerTransaction, serverTransactionKey } from '../transaction/index.js';
import type { Peer } from '../transport/index.js';
import { answerAcked, retransmitAnswer } from './answer-retransmission.js';
import type { AppConnection, AppDirectory, AppReply, ResponseFromApp } from './app-port.js';
import { hostport, type EdgeContext } from './edge-context.js';
import { contactOverTransport, replaceLocalhost } from './message-helpers.js';
import { allowedMethods, malformation, refusal, requires100rel, supportedOptions } from './request-checks.js';
import { reasonPhrase, responseTo } from './responses.js';
import type { SessionTimers } from './session-timers.js';

interface Incoming {
  transactionId: string;
  owner: AppConnection;
  txn: InviteServerTransaction | NonInviteServerTransaction;
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
 * delivered to an app, and the responses it writes go back through those transactions.
 */
export class UasCore {
  private readonly byKey = new Map<string, Incoming>();
  private readonly byTransactionId = new Map<string, Incoming>();

  constructor(
    private readonly ctx: EdgeContext,
    private readonly apps: AppDirectory,
    private readonly sessions: SessionTimers,
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
    if (existing) return existing.txn.receiveRequest(req);
    if (req.method === 'ACK') return this.receiveAckFor2xx(req, from, raw);
    if (req.method === 'CANCEL') return this.receiveCancel(req, from, raw);
    const refused = refusal(req);
    if (refused) return this.rejectStateless(req, from, refused.status, refused.reason, undefined, refused.headers);
    const toTag = tagOf(req.get('to'));
    if (toTag) return this.receiveInDialog(req, from, raw, toTag);
    this.receiveOutOfDialog(req, from, raw);
  }

  /** A response an app wrote to one of our server transactions. */
  respondFromApp(owner: AppConnection, { response: app, transactionId }: ResponseFromApp, reply: AppReply): void {
    const inc = this.byTransactionId.get(transactionId);
    if (!inc) return reply.refused(`unknown transaction id: ${transactionId}`);
    if (inc.cancelled || inc.txn.finalResponseSent) return reply.refused(`transaction ${transactionId} already has a final response`);
    // The stack sent its own 100 Trying when the INVITE came.
    if (app.status === 100) return reply.accepted();
    // RFC 3262 §3: this edge sends no reliable provisional, so one the INVITE requires must not go unreliably.
    if (inc.txn.request.method === 'INVITE' && app.status < 200 && requires100rel(inc.txn.request)) {
      return reply.refused(`the INVITE requires 100rel: a ${app.status} would have to be sent reliably, which this SIP edge does not do`);
    }
    const res = this.buildResponse(inc, app.status, app.reason, app);
    const req = inc.txn.request;
    let raw: string;
    try {
      raw = inc.txn.respond(res);
    } catch (err) {
      return reply.refused((err as Error).message);
    }
    let dialogId = inc.dialog?.id ?? '';
    if (req.method === 'INVITE' && app.status >= 200 && app.status < 300) {
      let dialog = inc.dialog;
      if (!dialog) {
        dialog = dialogFromTheirInvite(req, res, inc.localTag, this.ctx.contact(undefined));
        this.ctx.addDialog(dialog, owner);
      }
      dialogId = dialog.id;
      retransmitAnswer(this.ctx, dialog, res, inc.txn.responseDestination, parseCSeq(req.get('cseq')).seq);
    } else if (req.method === 'BYE' && inc.dialog && app.status >= 200) {
      this.ctx.removeDialog(inc.dialog);
    }
    reply.responseSent(raw, inc.txn.responseDestination, transactionId, dialogId);
  }

  /** A request we could read only in part: answered statelessly, to its Via or else to where it came from. */
  rejectMalformed(req: SipRequest, from: Peer, status: number, problem: string): void {
    this.rejectStateless(req, from, status, reasonPhrase(problem));
  }

  close(): void {
    for (const inc of [...this.byKey.values()]) inc.txn.terminate();
  }

  private receiveOutOfDialog(req: SipRequest, from: Peer, raw: string): void {
    const owner = this.apps.routing(req.method);
    if (!owner) {
      if (req.method === 'OPTIONS') return this.rejectStateless(req, from, 200, 'OK');
      if (!this.apps.connected()) return this.rejectStateless(req, from, 503, 'Service Unavailable');
      // §8.2.1: 405 names what is allowed.
      return this.rejectStateless(req, from, 405, 'Method Not Allowed', undefined, [['Allow', this.allow()]]);
    }
    const inc = this.createTransaction(req, from, owner, undefined);
    owner.deliver({ source: 'network', raw, peer: from, transactionId: inc.transactionId, dialogId: '' });
  }

  private receiveInDialog(req: SipRequest, from: Peer, raw: string, toTag: string): void {
    const dialog = this.ctx.dialogFor(req.get('call-id') ?? '', toTag, tagOf(req.get('from')) ?? '');
    const owner = dialog && this.ctx.ownerOf(dialog);
    if (!dialog || !owner) return this.rejectStateless(req, from, 481, 'Call/Transaction Does Not Exist');
    if (!dialog.acceptRemoteSequence(parseCSeq(req.get('cseq')).seq)) {
      return this.rejectStateless(req, from, 500, 'Server Internal Error');
    }
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const contact = req.get('contact');
      if (contact) dialog.state.remoteTarget = uriOf(contact);
      this.sessions.refreshedByThem(dialog, req);
    }
    const inc = this.createTransaction(req, from, owner, dialog);
    owner.deliver({ source: 'network', raw, peer: from, transactionId: inc.transactionId, dialogId: dialog.id });
  }

  private receiveAckFor2xx(req: SipRequest, from: Peer, raw: string): void {
    const toTag = tagOf(req.get('to'));
    if (!toTag) return;
    const dialog = this.ctx.dialogFor(req.get('call-id') ?? '', toTag, tagOf(req.get('from')) ?? '');
    if (!dialog || !answerAcked(dialog, parseCSeq(req.get('cseq')).seq)) return;
    this.ctx.ownerOf(dialog)?.deliver({ source: 'network', raw, peer: from, transactionId: randomUUID(), dialogId: dialog.id });
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
    invite.owner.deliver({ source: 'network', raw, peer: from, transactionId: invite.transactionId, dialogId: '' });
  }

  private createTransaction(req: SipRequest, from: Peer, owner: AppConnection, dialog: Dialog | undefined): Incoming {
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
    const localTag = dialog?.state.localTag ?? this.ctx.newTag();
    const inc: Incoming = { transactionId, owner, txn, dialog, localTag, from, cancelled: false };
    this.byKey.set(key, inc);
    this.byTransactionId.set(transactionId, inc);
    // §17.2.1: a 100 Trying at once stops the caller's INVITE retransmissions.
    if (txn instanceof InviteServerTransaction) txn.respond(this.buildResponse(inc, 100, 'Trying'));
    return inc;
  }

  private buildResponse(inc: Incoming, status: number, reason: string, app?: SipResponse): SipResponse {
    const req = inc.txn.request;
    const res = responseTo(req, status, reason, { toTag: status > 100 ? inc.localTag : undefined, receivedFrom: inc.from });
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
      res.set('Contact', inc.dialog?.state.localContact ?? this.ctx.contact(undefined, inc.from.transport));
    } else if (res.has('contact') && !inc.dialog) {
      res.set('Contact', contactOverTransport(res.get('contact')!, inc.from.transport));
    }
    return res;
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
    const res = responseTo(req, status, reason, { toTag: toTag ?? (status > 100 ? this.ctx.newTag() : undefined), receivedFrom: from });
    if (req.method === 'OPTIONS' && status === 200) {
      res.set('Allow', this.allow()).set('Accept', 'application/sdp').set('Supported', supportedOptions.join(', '));
    }
    for (const [name, value] of headers) res.set(name, value);
    this.ctx.send(res, responseDestination(req, from));
  }

  private allow(): string {
    return allowedMethods(this.apps.routedMethods());
  }
}
