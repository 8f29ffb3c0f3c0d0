// A real HTTP listener standing in for a dialer's notifyUrl (and a bot's eventsUrl): it keeps every POST with
// its headers and parsed JSON body, per path, and can be told to fail, stall or refuse requests on a path.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { sharedWebhookValidator } from './webhook-schema.js';

export interface Notification {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  rawBody: string;
  /** The parsed JSON body; undefined when the body is not JSON. */
  body: unknown;
  /** The status this listener answered (the request is recorded whatever it answered). */
  answeredStatus: number;
  receivedAt: Date;
  /**
   * For a POST outdial made (it carries webhook-id): the webhook of /openapi.json it matches, or why it
   * matches none. Undefined for requests from anyone else.
   */
  webhook?: { webhook: string } | { error: string };
}

/** outdial's POSTs whose body matched no webhook of /openapi.json, since the last call; test/support/webhook-conformance.ts fails the test on any. */
const nonConforming: string[] = [];
export function takeNonConformingWebhooks(): string[] {
  return nonConforming.splice(0);
}

/** What the listener does with the next requests on a path; steps are used once each, in order. */
export type FailureStep =
  | { status: number; body?: string }
  | { delayMs: number; status?: number }
  | { destroy: true };

export interface NotifyListener {
  readonly port: number;
  /** The full URL of a path on this listener, e.g. url('/notify/1'). */
  url(path: string): string;
  /** Every request so far, or those to one path, in arrival order. */
  requests(path?: string): Notification[];
  /** Requests answered 2xx (the notifications a dialer would consider delivered). */
  delivered(path?: string): Notification[];
  /**
   * Plans the answers for the next requests on a path, e.g. fail the first two with 500:
   * `plan('/n', [{ status: 500 }, { status: 500 }])`. Requests beyond the plan get 200.
   */
  plan(path: string, steps: FailureStep[]): void;
  /** Resolves with the first request (on any path) the predicate accepts, waiting up to timeoutMs. */
  waitFor(predicate: (n: Notification, all: Notification[]) => boolean, timeoutMs?: number): Promise<Notification>;
  close(): Promise<void>;
}

export interface NotifyListenerOptions {
  /** Listen on this port (a notifyUrl that was down and comes up); a free one by default. */
  port?: number;
  /** Answers each request itself instead of the plan (it may also never answer). */
  respond?: (n: Notification, res: ServerResponse) => void;
  /** Check outdial's POSTs against /openapi.json's webhooks (default true); off for a notifier fed made-up bodies. */
  checkWebhooks?: boolean;
}

/** Listens on `options.port` when given (a notifyUrl that was down and comes up), else on a free port. */
export async function startNotifyListener(options: NotifyListenerOptions = {}): Promise<NotifyListener> {
  const recorded: Notification[] = [];
  const plans = new Map<string, FailureStep[]>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const step = plans.get(path)?.shift();
      const status = step === undefined ? 200 : 'destroy' in step ? 0 : (step.status ?? 200);
      const webhook = req.headers['webhook-id'] === undefined || options.checkWebhooks === false ? undefined : sharedWebhookValidator().check(body);
      if (webhook && 'error' in webhook) nonConforming.push(`POST ${path} ${rawBody.slice(0, 300)}\n${webhook.error}`);
      const n: Notification = { path, method: req.method ?? '', headers: req.headers, rawBody, body, answeredStatus: status, receivedAt: new Date(), ...(webhook && { webhook }) };
      recorded.push(n);
      for (const wake of waiters) wake();
      if (options.respond) {
        // The status is the one the test's own answer sends.
        res.on('finish', () => (n.answeredStatus = res.statusCode));
        n.answeredStatus = 0;
        options.respond(n, res);
      } else answer(res, step);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const requests = (path?: string) => recorded.filter((n) => path === undefined || n.path === path);
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`,
    requests,
    delivered: (path) => requests(path).filter((n) => n.answeredStatus >= 200 && n.answeredStatus < 300),
    plan(path, steps) {
      plans.set(path, [...steps]);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = recorded.find((n) => predicate(n, recorded));
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching notification within ${timeoutMs} ms; got ${recorded.length}: ${recorded.map((n) => `${n.path} ${n.rawBody.slice(0, 120)}`).join(' | ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, step: FailureStep | undefined): void {
  if (step && 'destroy' in step) {
    res.socket?.destroy();
    return;
  }
  const send = (status: number, body = '') => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  };
  if (step === undefined) return send(200, 'ok');
  if ('delayMs' in step) {
    const timer = setTimeout(() => send(step.status ?? 200, 'ok'), step.delayMs);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  send(step.status, step.body ?? '');
}

/**
 * The test file's notify listener, declared at its top: started before its tests and closed after them. Each
 * call goes to the listener beforeAll started.
 */
export function useNotifyListener(options?: NotifyListenerOptions): NotifyListener {
  let started: NotifyListener | undefined;
  beforeAll(async () => {
    started = await startNotifyListener(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): NotifyListener => {
    if (!started) throw new Error('the notify listener starts in beforeAll: use it inside a test or a hook');
    return started;
  };
  return {
    get port() {
      return current().port;
    },
    url: (path) => current().url(path),
    requests: (path) => current().requests(path),
    delivered: (path) => current().delivered(path),
    plan: (path, steps) => current().plan(path, steps),
    waitFor: (predicate, timeoutMs) => current().waitFor(predicate, timeoutMs),
    close: () => current().close(),
  };
}
