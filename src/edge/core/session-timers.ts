import { expiryDelayMs, parseSessionExpires, refreshDelayMs, sessionExpiredReason, type Dialog } from '../dialog/index.js';
import { parseCSeq, SipRequest, type SipResponse } from '../message/index.js';
import { nextHop } from '../routing/index.js';
import type { EdgeContext } from './edge-context.js';
import { byeFromStack } from './stack-bye.js';

/** Sends a request the stack makes in a dialog on its own; `onFinal` gets its final response, or undefined. */
export type OwnRequestSender = (dialog: Dialog, req: SipRequest, onFinal: (res: SipResponse | undefined) => void) => void;

/**
 * RFC 4028 session timers, run by the edge as drachtio-server runs them for its dialogs. A 2xx to our INVITE
 * naming a Session-Expires starts one: with `refresher=uac` (or none) we refresh half way through with a
 * re-INVITE carrying the last SDP we sent, and the app never sees it; with `refresher=uas` the far end must
 * refresh, and a session it lets lapse is ended with a BYE carrying `Reason: SIP;cause=200;text="Session timer
 * expired"`, handed to the app like a BYE from the far end. A refresh that fails (other than 491) ends it too.
 */
export class SessionTimers {
  constructor(
    private readonly ctx: EdgeContext,
    private readonly sendOwn: OwnRequestSender,
  ) {}

  /** A 2xx to an INVITE we sent in or for this dialog. */
  answered(dialog: Dialog, answer: SipResponse): void {
    const se = parseSessionExpires(answer.get('session-expires'));
    if (se) this.arm(dialog, se.seconds, se.refresher !== 'uas');
  }

  /** The far end refreshed the session with a re-INVITE or UPDATE (§9): the interval starts again. */
  refreshedByThem(dialog: Dialog, request: SipRequest): void {
    const se = parseSessionExpires(request.get('session-expires'));
    if (dialog.sessionTimer && se) this.arm(dialog, se.seconds, se.refresher === 'uas');
  }

  private arm(dialog: Dialog, seconds: number, weRefresh: boolean): void {
    dialog.sessionTimer?.stop();
    const timer = setTimeout(
      () => {
        dialog.sessionTimer = undefined;
        if (dialog.ended) return;
        if (weRefresh) this.refresh(dialog, seconds);
        else byeFromStack(this.ctx, dialog, sessionExpiredReason);
      },
      weRefresh ? refreshDelayMs(seconds) : expiryDelayMs(seconds),
    );
    dialog.sessionTimer = { stop: () => clearTimeout(timer) };
  }

  private refresh(dialog: Dialog, seconds: number): void {
    const req = dialog.createRequest('INVITE');
    req.set('Max-Forwards', '70');
    req.set('Contact', dialog.state.localContact);
    req.set('Supported', 'timer');
    req.set('Session-Expires', `${seconds};refresher=uac`);
    req.set('Min-SE', String(Math.min(90, seconds)));
    if (dialog.localSdp) req.set('Content-Type', 'application/sdp');
    req.body = dialog.localSdp;
    this.sendOwn(dialog, req, (res) => {
      if (dialog.ended) return;
      if (res && res.status >= 200 && res.status < 300) {
        this.ack(dialog);
        this.answered(dialog, res);
      } else if (res?.status === 491) {
        // Glare with their own re-INVITE: try again at the next interval.
        this.arm(dialog, seconds, true);
      } else {
        byeFromStack(this.ctx, dialog, sessionExpiredReason);
      }
    });
  }

  /** The ACK for the 2xx to our refresh (§13.2.2.4), kept for a retransmitted 2xx. */
  private ack(dialog: Dialog): void {
    const ack = dialog.createRequest('ACK');
    ack.set('Max-Forwards', '70');
    void nextHop(ack)
      .then((to) => {
        ack.prepend('Via', this.ctx.via(this.ctx.newBranch(), to.transport));
        dialog.lastAck = { seq: dialog.inviteSeq, raw: this.ctx.send(ack, to), to };
      })
      .catch(() => undefined);
  }
}

/**
 * §7.4 / §8.1: a 422 names the smallest interval the far end takes (Min-SE); the INVITE goes again once with
 * that interval, a new CSeq and the Min-SE header. Undefined when the 422 gives no larger interval.
 */
export function retryWithMinSE(invite: SipRequest, rejection: SipResponse): SipRequest | undefined {
  const asked = parseSessionExpires(invite.get('session-expires'));
  const minSE = Number(/^\s*(\d{1,10})/.exec(rejection.get('min-se') ?? '')?.[1] ?? NaN);
  if (!asked || !(minSE > asked.seconds)) return undefined;
  const retry = new SipRequest(invite.method, invite.uri);
  for (const key of invite.headerKeys()) retry.set(key, invite.getAll(key));
  retry.body = invite.body;
  retry.set('CSeq', `${parseCSeq(invite.get('cseq')).seq + 1} ${invite.method}`);
  retry.set('Session-Expires', `${minSE}${asked.refresher ? `;refresher=${asked.refresher}` : ''}`);
  retry.set('Min-SE', String(minSE));
  return retry;
}
