// One out-of-dialog request (OPTIONS, REGISTER) through drachtio-srf's srf.request, so it works on the
// embedded edge and on a drachtio-server alike; digest challenges are answered by drachtio-srf itself.

import type Srf from 'drachtio-srf';

export interface OutOfDialogRequest {
  method: 'OPTIONS' | 'REGISTER';
  headers: Record<string, string>;
  /** Credentials for a 401/407 challenge. */
  auth?: { username: string; password: string };
  /** Where to send it when not to the Request-URI's host: the address DNS chose for the trunk. */
  proxy?: string;
}

/** A final response as the trunk code needs it. */
export interface FinalResponse {
  status: number;
  reason: string;
  /** A header's value, or undefined when absent. */
  header(name: string): string | undefined;
  /** False for the 408/503 the stack makes up for a silent or unreachable far end (no To tag). */
  fromFarEnd: boolean;
}

/** Sends a request and resolves with its final response, or 'timeout' when none came within timeoutMs. */
export type SipRequester = (uri: string, request: OutOfDialogRequest, timeoutMs: number) => Promise<FinalResponse | 'timeout'>;

/** The part of drachtio-srf's API used here; its published typings misdescribe srf.request. */
interface RequestSender {
  request(
    uri: string,
    opts: { method: string; headers: Record<string, string>; auth?: { username: string; password: string }; proxy?: string },
    callback: (err: Error | null, req: Srf.SrfRequest) => void,
  ): unknown;
}

/** A SipRequester sending through `srf`. Never rejects: a request that cannot be sent reads as a 503. */
export function srfRequester(srf: Srf): SipRequester {
  const sender = srf as unknown as RequestSender;
  return (uri, request, timeoutMs) =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (result: FinalResponse | 'timeout') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      const local = (reason: string): FinalResponse => ({ status: 503, reason, header: () => undefined, fromFarEnd: false });
      try {
        const opts = { method: request.method, headers: { ...request.headers }, ...(request.auth && { auth: request.auth }), ...(request.proxy !== undefined && { proxy: request.proxy }) };
        sender.request(uri, opts, (err, req) => {
          if (err) return settle(local(err.message));
          req.on('response', (res) => {
            if (!res || res.status < 200) return;
            settle({
              status: res.status,
              reason: res.reason,
              header: (name) => (res.has(name) ? res.get(name) : undefined),
              fromFarEnd: /;\s*tag=/i.test(res.get('To') ?? ''),
            });
          });
        });
      } catch (err) {
        settle(local((err as Error).message));
      }
    });
}
