// Where drachtio-srf's bundled types (lib/@types/index.d.ts) differ from what lib/srf.js and lib/dialog.js
// do. Patched here, once, so the code needs no casts around them. The module is `export = Srf`, so what is
// declared here joins the Srf namespace (Srf.Dialog, Srf.SipError, …).
import 'drachtio-srf';

declare module 'drachtio-srf' {
  /** A final non-2xx response to a request drachtio-srf sent (lib/sip_error.js). */
  class SipError extends Error {
    constructor(status: number, reason?: string);
    status: number;
    reason?: string;
    /** The response itself, when one arrived (lib/srf.js sets it). */
    res?: SrfResponse;
  }

  /** An in-dialog request as Dialog.request takes it (lib/dialog.js). */
  interface DialogRequest {
    method: 'ACK' | 'BYE' | 'CANCEL' | 'INFO' | 'INVITE' | 'MESSAGE' | 'NOTIFY' | 'OPTIONS' | 'PRACK' | 'PUBLISH' | 'REFER' | 'REGISTER' | 'SUBSCRIBE' | 'UPDATE';
    headers?: Record<string, string>;
    body?: string;
  }

  interface Dialog {
    /** Without a callback destroy returns a promise, which rejects when the BYE cannot be sent. */
    destroy(opts?: { headers?: Record<string, string> }): Promise<SrfRequest>;
    request(opts: DialogRequest): Promise<SrfResponse>;
  }
}
