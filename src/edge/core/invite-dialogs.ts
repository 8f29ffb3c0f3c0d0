import { Dialog, dialogFromOurInvite } from '../dialog/index.js';
import { tagOf, uriOf, type SipRequest, type SipResponse } from '../message/index.js';
import type { InviteClientTransaction, NonInviteClientTransaction } from '../transaction/index.js';
import type { AppConnection } from './app-port.js';
import type { EdgeContext } from './edge-context.js';
import type { ReliableProvisionals } from './reliable-provisionals.js';

// The dialogs an INVITE of ours creates (RFC 3261 §12.1.2, §13.2.2.4; RFC 3262 §4): an early dialog for each
// far end (To tag) a reliable provisional comes from when the INVITE forks, the one the 2xx names confirmed
// or replaced by it and the others ended, all dropped when the INVITE fails. They stand apart
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
  /**
   * The early dialogs reliable provisionals created (RFC 3262 §4), by the far end's To tag: a forked INVITE
   * has one per fork, and each fork's PRACKs are sent in its own.
   */
  early?: Map<string, Dialog> | undefined;
}

/** §12.1.2: a 2xx to our INVITE creates the dialog; to a re-INVITE it refreshes the remote target. */
export function confirmDialog(ctx: EdgeContext, out: Outgoing, res: SipResponse): Dialog | undefined {
  const contact = res.get('contact');
  if (out.dialog) {
    if (contact) out.dialog.state.remoteTarget = uriOf(contact);
    return out.dialog;
  }
  const req = out.txn.request;
  const remoteTag = tagOf(res.get('to')) ?? '';
  const existing = ctx.dialogFor(req.get('call-id') ?? '', tagOf(req.get('from')) ?? '', remoteTag);
  const early = out.early?.get(remoteTag);
  if (existing && existing !== early) return existing;
  // §13.2.2.4: the 2xx confirms its early dialog and its route set is computed again from the 2xx; the CSeq
  // numbers the PRACKs used stay spent. The other forks' early dialogs end here: the call is answered.
  dropEarlyDialogs(ctx, out);
  const dialog = dialogFromOurInvite(req, res, ctx.contact(undefined, out.txn.destination.transport));
  if (dialog && early) dialog.state.localSequenceNumber = Math.max(dialog.state.localSequenceNumber, early.state.localSequenceNumber);
  if (dialog) ctx.addDialog(dialog, out.owner);
  return dialog;
}

/**
 * RFC 3262 §4: the early dialog a reliable provisional belongs to, by its To tag: the first from a far end
 * creates it, later ones from the same far end reuse it, and a provisional from another fork creates that
 * fork's own.
 */
export function earlyDialog(ctx: EdgeContext, out: Outgoing, res: SipResponse): Dialog | undefined {
  const remoteTag = tagOf(res.get('to')) ?? '';
  const known = out.early?.get(remoteTag);
  if (known) return known;
  // Without a Contact the PRACK goes where the INVITE went.
  const dialog = forkDialog(out.txn.request, res, ctx.contact(undefined, out.txn.destination.transport), out.txn.request.uri);
  if (!dialog || ctx.dialogById(dialog.id) || ctx.dialogFor(dialog.state.callId, dialog.state.localTag, remoteTag)) return undefined;
  (out.early ??= new Map()).set(remoteTag, dialog);
  ctx.addDialog(dialog, out.owner);
  return dialog;
}

/**
 * A dialog of one fork of our INVITE, before or besides the one the app is told of: its id names the far end's
 * To tag too, so the early dialogs of several forks, and a fork's dialog the stack ends on its own, stand apart
 * from each other and from the confirmed dialog, which keeps drachtio's id (Call-ID and From tag).
 */
export function forkDialog(invite: SipRequest, res: SipResponse, ourContact: string, fallbackTarget?: string): Dialog | undefined {
  const made = dialogFromOurInvite(invite, res, ourContact, fallbackTarget);
  if (!made) return undefined;
  const dialog = new Dialog({ ...made.state, id: `${made.state.id};to-tag=${made.state.remoteTag}` });
  dialog.localSdp = made.localSdp;
  return dialog;
}

/** The INVITE ended without a 2xx (or was answered): its early dialogs, if any, are gone. */
export function dropEarlyDialogs(ctx: EdgeContext, out: Outgoing): void {
  if (!out.early) return;
  for (const dialog of out.early.values()) ctx.removeDialog(dialog);
  out.early = undefined;
}
