import { dialogFromOurInvite, type Dialog } from '../dialog/index.js';
import { tagOf, uriOf, type SipResponse } from '../message/index.js';
import type { InviteClientTransaction, NonInviteClientTransaction } from '../transaction/index.js';
import type { AppConnection } from './app-port.js';
import type { EdgeContext } from './edge-context.js';
import type { ReliableProvisionals } from './reliable-provisionals.js';

// The dialogs an INVITE of ours creates (RFC 3261 §12.1.2, §13.2.2.4; RFC 3262 §4): the early dialog of a
// reliable provisional, confirmed or replaced by the 2xx, dropped when the INVITE fails. They stand apart
// from the UAC core, which routes requests and hands responses back, because they are the dialog-state
// rules of one INVITE and touch only that request and the edge's dialog table.

/** A request the UAC core sent, and what its responses have built so far. */
export interface Outgoing {
  transactionId: string;
  owner: AppConnection;
  txn: InviteClientTransaction | NonInviteClientTransaction;
  dialog: Dialog | undefined;
  /** A CANCEL waiting for the first provisional response (RFC 3261 §9.1). */
  pendingCancel?: NonInviteClientTransaction | undefined;
  /** Set when the stack sent the request on its own: its final response goes here, not to the app. */
  own?: (res: SipResponse | undefined) => void;
  /** The INVITE was already sent again after a 422 (RFC 4028 §7.4). */
  retriedAfter422?: boolean;
  /** RFC 3262: the RSeq order of the INVITE's reliable provisionals. */
  reliable?: ReliableProvisionals;
  /** The early dialog a reliable provisional created (RFC 3262 §4), which its PRACK is sent in. */
  early?: Dialog | undefined;
}

/** §12.1.2: a 2xx to our INVITE creates the dialog; to a re-INVITE it refreshes the remote target. */
export function confirmDialog(ctx: EdgeContext, out: Outgoing, res: SipResponse): Dialog | undefined {
  const contact = res.get('contact');
  if (out.dialog) {
    if (contact) out.dialog.state.remoteTarget = uriOf(contact);
    return out.dialog;
  }
  const req = out.txn.request;
  const existing = ctx.dialogFor(req.get('call-id') ?? '', tagOf(req.get('from')) ?? '', tagOf(res.get('to')) ?? '');
  const early = out.early;
  if (existing && existing !== early) return existing;
  // §13.2.2.4: the 2xx confirms the early dialog and its route set is computed again from the 2xx; the CSeq
  // numbers the PRACKs used stay spent.
  dropEarlyDialog(ctx, out);
  const dialog = dialogFromOurInvite(req, res, ctx.contact(undefined, out.txn.destination.transport));
  if (dialog && early) dialog.state.localSequenceNumber = Math.max(dialog.state.localSequenceNumber, early.state.localSequenceNumber);
  if (dialog) ctx.addDialog(dialog, out.owner);
  return dialog;
}

/** RFC 3262 §4: the early dialog of the first reliable provisional; later in-order ones reuse it. */
export function earlyDialog(ctx: EdgeContext, out: Outgoing, res: SipResponse): Dialog | undefined {
  const remoteTag = tagOf(res.get('to'));
  if (out.early) return out.early.state.remoteTag === remoteTag ? out.early : undefined;
  const req = out.txn.request;
  // Without a Contact the PRACK goes where the INVITE went.
  const dialog = dialogFromOurInvite(req, res, ctx.contact(undefined, out.txn.destination.transport), req.uri);
  if (!dialog || ctx.dialogById(dialog.id)) return undefined;
  out.early = dialog;
  ctx.addDialog(dialog, out.owner);
  return dialog;
}

/** The INVITE ended without a 2xx (or was answered): its early dialog, if any, is gone. */
export function dropEarlyDialog(ctx: EdgeContext, out: Outgoing): void {
  if (!out.early) return;
  ctx.removeDialog(out.early);
  out.early = undefined;
}
