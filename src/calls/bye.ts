import type Srf from 'drachtio-srf';

/** BYE on a dialog; resolves on the response, or after a bound when the far end never answers. */
export function sendBye(dialog: Srf.Dialog, boundMs = 4000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, boundMs);
    try {
      dialog.destroy(undefined, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
