import type { Dialog } from '../dialog/index.js';
import type { SipResponse } from '../message/index.js';
import { transactionTimeout } from '../transaction/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import type { EdgeContext } from './edge-context.js';
import { byeFromStack } from './stack-bye.js';

/**
 * §13.3.1.4: the UAS core repeats its 2xx to an INVITE (T1, doubling up to T2, over UDP only) until the ACK
 * comes, and after 64*T1 without one ends the dialog with a BYE and tells the app, as drachtio-server does.
 */
export function retransmitAnswer(ctx: EdgeContext, dialog: Dialog, res: SipResponse, to: Peer, seq: number): void {
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
  const giveUp = setTimeout(() => answerNotAcked(ctx, dialog), transactionTimeout(ctx.timers));
  dialog.unackedAnswer?.stop();
  dialog.unackedAnswer = {
    seq,
    stop: () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
    },
  };
}

/** The ACK for our 2xx came: stop repeating it. False when it acknowledges no 2xx we are repeating. */
export function answerAcked(dialog: Dialog, seq: number): boolean {
  if (!dialog.unackedAnswer || dialog.unackedAnswer.seq !== seq) return false;
  dialog.unackedAnswer.stop();
  dialog.unackedAnswer = undefined;
  return true;
}

function answerNotAcked(ctx: EdgeContext, dialog: Dialog): void {
  dialog.unackedAnswer?.stop();
  dialog.unackedAnswer = undefined;
  byeFromStack(ctx, dialog);
}
