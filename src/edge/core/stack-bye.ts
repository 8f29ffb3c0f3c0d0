import type { Dialog } from '../dialog/index.js';
import { nextHop } from '../routing/index.js';
import type { EdgeContext } from './edge-context.js';

/**
 * Ends a dialog from the stack itself (no ACK for our 2xx, an expired session): sends a BYE, hands it to the
 * app as drachtio-server does (an in-dialog BYE with transaction id `unsolicited`, so drachtio-srf ends the
 * dialog and the app reads `reason` from it), and forgets the dialog.
 */
export function byeFromStack(ctx: EdgeContext, dialog: Dialog, reason?: string): void {
  const owner = ctx.ownerOf(dialog);
  const bye = dialog.createRequest('BYE');
  bye.set('Max-Forwards', '70');
  if (reason) bye.set('Reason', reason);
  void nextHop(bye)
    .then((to) => {
      bye.prepend('Via', ctx.via(ctx.newBranch(), to.transport));
      const raw = ctx.send(bye, to);
      owner?.deliver({ source: 'application', raw, peer: to, transactionId: 'unsolicited', dialogId: dialog.id });
    })
    .catch(() => undefined);
  ctx.removeDialog(dialog);
}
