// The drachtio-srf that drachtio-fsmrf places its FreeSWITCH INVITEs through (docs/media.md, "A FreeSWITCH
// that goes away"). drachtio-fsmrf hangs up an endpoint's SIP dialog with a bare `dialog.destroy()`, its
// promise ignored, when FreeSWITCH does not connect back to it within 4 s of answering (MediaServer
// #createEndpoint's connection timeout: FreeSWITCH stopped or overloaded right then). When FreeSWITCH has
// already ended that dialog itself (its BYE on shutdown, or the channel hung up), drachtio-server answers
// "unable to find dialog" and the promise rejects with ENODIALOG, unhandled, in outdial's process. Here every
// dialog drachtio-fsmrf gets has a handled destroy(): the failure is logged, and a caller that awaits the
// promise still sees it reject.

import type { Logger } from '../../log/index.js';

type DestroyCallback = (err: unknown, msg?: unknown) => void;

/** The part of a drachtio-srf Dialog this wraps. */
interface DestroyableDialog {
  destroy(opts?: unknown, callback?: DestroyCallback): unknown;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The dialog with a destroy() whose promise (when it returns one) never goes unhandled. */
export function guardDialogDestroy<D extends DestroyableDialog>(dialog: D, logger: Logger): D {
  const destroy = dialog.destroy.bind(dialog);
  dialog.destroy = (opts?: unknown, callback?: DestroyCallback): unknown => {
    // drachtio-srf takes the callback in the first place too; a caller with a callback handles the error.
    if (typeof opts === 'function' || typeof callback === 'function') return destroy(opts, callback);
    const result = destroy(opts);
    if (isThenable(result)) {
      result.then(undefined, (err: unknown) =>
        logger.debug({ err: message(err), code: (err as { code?: unknown } | null)?.code }, 'FreeSWITCH endpoint dialog already gone'),
      );
    }
    return result;
  };
  return dialog;
}

/**
 * `srf` as drachtio-fsmrf should see it: the same object, except that the dialogs its createUAC resolves with
 * have a guarded destroy() (guardDialogDestroy).
 */
export function signallingForMrf(srf: unknown, logger: Logger): unknown {
  if (typeof srf !== 'object' || srf === null) return srf;
  return new Proxy(srf, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (prop !== 'createUAC') return method;
      const guard = (dialog: unknown): unknown =>
        dialog && typeof (dialog as Partial<DestroyableDialog>).destroy === 'function' ? guardDialogDestroy(dialog as DestroyableDialog, logger) : dialog;
      return (...args: unknown[]) => {
        // The callback form (its last argument) gets the guarded dialog too.
        const last = args.length - 1;
        const callback = args[last];
        if (typeof callback === 'function') args[last] = (err: unknown, dialog: unknown) => (callback as DestroyCallback)(err, guard(dialog));
        const result = method(...args);
        if (!isThenable(result)) return result;
        return Promise.resolve(result).then(guard);
      };
    },
  });
}
