import type Srf from 'drachtio-srf';
import type { Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';

/**
 * BYE on a dialog; resolves on the response, on a failure (logged), or after a bound when the far end never
 * answers. Never rejects: a drachtio-server that already hung up a 200 crossing our CANCEL makes the BYE
 * fail, and that must not become an unhandled rejection.
 */
export function hangUp(dialog: Srf.Dialog, clock: Clock, logger: Logger, boundMs = 4000): Promise<void> {
  return new Promise((resolve) => {
    const cancel = clock.after(boundMs, resolve);
    const done = (err?: unknown) => {
      cancel();
      if (err) logger.debug({ err }, 'BYE failed; the dialog was already gone');
      resolve();
    };
    try {
      dialog.destroy(undefined, (err: unknown) => done(err));
    } catch (err) {
      done(err);
    }
  });
}

/**
 * Our side ends an established dialog: the far end's BYE ('destroy') no longer counts as its hang-up, so
 * that listener goes before the BYE is sent.
 */
export function hangUpOurs(dialog: Srf.Dialog, clock: Clock, logger: Logger): Promise<void> {
  dialog.removeAllListeners('destroy');
  return hangUp(dialog, clock, logger);
}
