import type { Dialog } from '../dialog/index.js';
import { parseCSeq, tagOf, type SipRequest, type SipResponse } from '../message/index.js';
import { nextHop } from '../routing/index.js';
import { transactionTimeout } from '../transaction/index.js';
import type { Peer } from '../transport/index.js';
import type { AppConnection } from './app-port.js';
import type { EdgeContext } from './edge-context.js';
import { forkDialog, type Outgoing } from './invite-dialogs.js';

/** An INVITE of ours a 2xx answered, kept while other forks may still answer it. */
interface Answered {
  invite: SipRequest;
  transport: Peer['transport'];
  owner: AppConnection;
  /** The To tag of the 2xx the app was given. */
  answeredTag: string;
  /** The last CSeq number each fork's early dialog used (its PRACKs), so its BYE comes after them. */
  earlySeq: Map<string, number>;
  /** The ACK sent to each other fork's 2xx, sent again when that 2xx is retransmitted. */
  acks: Map<string, { raw: string; to: Peer } | undefined>;
  timer: NodeJS.Timeout;
}

/** Sends a request in a dialog on the stack's own behalf (the app never sees it nor its response). */
export type SendOwn = (dialog: Dialog, req: SipRequest, owner: AppConnection) => void;

/**
 * RFC 3261 §13.2.2.4: after the first 2xx to an INVITE, a 2xx from another fork (another To tag) still
 * creates a dialog; the UAC MUST ACK it and, not wanting a second call, ends it with a BYE. The app has its
 * call and never hears of the other fork. The INVITE is remembered for 64*T1 after its first 2xx, the time
 * the RFC gives other forks' 2xx to arrive (and RFC 6026 keeps the transaction for).
 */
export class ForkedAnswers {
  private readonly answered = new Map<string, Answered>();

  constructor(
    private readonly ctx: EdgeContext,
    private readonly sendOwn: SendOwn,
  ) {}

  /** The first 2xx to our INVITE came: other forks' 2xx are ended from now on. Call before the early dialogs go. */
  remember(out: Outgoing, res: SipResponse): void {
    const invite = out.txn.request;
    const key = answerKey(invite.get('call-id'), tagOf(invite.get('from')));
    const earlySeq = new Map<string, number>();
    for (const [tag, dialog] of out.early ?? []) earlySeq.set(tag, dialog.state.localSequenceNumber);
    this.forget(key);
    const timer = setTimeout(() => this.forget(key), transactionTimeout(this.ctx.timers));
    timer.unref();
    this.answered.set(key, {
      invite,
      transport: out.txn.destination.transport,
      owner: out.owner,
      answeredTag: tagOf(res.get('to')) ?? '',
      earlySeq,
      acks: new Map(),
      timer,
    });
  }

  /** A 2xx no transaction claimed: true when it came from another fork of an answered INVITE and was ended. */
  receive(res: SipResponse): boolean {
    if (res.status < 200 || res.status >= 300) return false;
    const entry = this.answered.get(answerKey(res.get('call-id'), tagOf(res.get('from'))));
    const tag = tagOf(res.get('to'));
    if (!entry || !tag || tag === entry.answeredTag) return false;
    const cseq = parseCSeq(res.get('cseq'));
    if (cseq.method !== 'INVITE') return false;
    if (cseq.seq !== parseCSeq(entry.invite.get('cseq')).seq) return false;
    if (entry.acks.has(tag)) {
      // A retransmission of that fork's 2xx: our ACK was lost (§13.2.2.4).
      const ack = entry.acks.get(tag);
      if (ack) this.ctx.transport.send(ack.raw, ack.to);
      return true;
    }
    entry.acks.set(tag, undefined);
    // A 2xx without Contact breaks §12.1.2; the ACK and BYE then go where the INVITE went.
    const dialog = forkDialog(entry.invite, res, this.ctx.contact(undefined, entry.transport), entry.invite.uri);
    if (!dialog) return true;
    dialog.state.localSequenceNumber = Math.max(dialog.state.localSequenceNumber, entry.earlySeq.get(tag) ?? 0);
    this.ctx.logger?.info({ callId: dialog.state.callId, toTag: tag }, 'a second fork answered our INVITE: ACK and BYE');
    const ack = dialog.createRequest('ACK');
    ack.set('Max-Forwards', '70');
    void nextHop(ack).then(
      (to) => {
        ack.prepend('Via', this.ctx.via(this.ctx.newBranch(), to.transport));
        entry.acks.set(tag, { raw: this.ctx.send(ack, to), to });
        const bye = dialog.createRequest('BYE');
        bye.set('Max-Forwards', '70');
        this.sendOwn(dialog, bye, entry.owner);
      },
      (err: unknown) => this.ctx.logger?.warn({ err, callId: dialog.state.callId }, 'no route for the ACK to a second fork'),
    );
    return true;
  }

  /** Forgets every answered INVITE, e.g. when the edge closes. */
  close(): void {
    for (const key of [...this.answered.keys()]) this.forget(key);
  }

  private forget(key: string): void {
    const entry = this.answered.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.answered.delete(key);
  }
}

function answerKey(callId: string | undefined, fromTag: string | undefined): string {
  return `${callId ?? ''}|${fromTag ?? ''}`;
}
