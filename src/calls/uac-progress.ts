import type Srf from 'drachtio-srf';

/**
 * drachtio-srf calls cbRequest as (err, req) although its bundled types say (req); this adapts one to the
 * other so the call code gets the request actually sent.
 */
export function uacProgress(handlers: {
  onRequest?: (sent: Srf.SrfRequest) => void;
  onProvisional?: (res: Srf.SrfResponse) => void;
}): { cbRequest?: (req: Srf.SrfRequest) => void; cbProvisional?: (res: Srf.SrfResponse) => void } {
  const cbRequest = (err: unknown, sent?: Srf.SrfRequest) => {
    if (!err && sent) handlers.onRequest?.(sent);
  };
  return {
    cbRequest: cbRequest,
    ...(handlers.onProvisional && { cbProvisional: handlers.onProvisional }),
  };
}
