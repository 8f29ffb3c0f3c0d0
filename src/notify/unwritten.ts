// A notification the outbox could not take (the store unreachable while the daemon stops): sent once,
// directly, or — when that fails too — logged at error level with its whole body, never dropped silently.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { attemptDelivery } from './attempt.js';

const inFlight = new Set<Promise<void>>();

export interface UnwrittenNotification {
  conversationId: string;
  url: string;
  body: object;
  headers: Record<string, string>;
}

/** Sends it once (within `timeoutMs`); logs it whole at error level when that fails. Never throws. */
export function deliverUnwritten(n: UnwrittenNotification, secrets: readonly string[], timeoutMs: number, logger: Logger): Promise<void> {
  const body = JSON.stringify(n.body);
  const entry = { id: `unwritten-${randomUUID()}`, conversationId: n.conversationId, seq: 0, url: n.url, headers: n.headers, body, attempts: 0, notBefore: 0, createdAt: Date.now() };
  const run = attemptDelivery(entry, secrets, timeoutMs, new AbortController().signal)
    .then((result) => {
      if (result.outcome === 'delivered') {
        logger.warn({ conversationId: n.conversationId, url: n.url }, 'notification the store could not take was delivered directly');
      } else {
        logger.error({ conversationId: n.conversationId, url: n.url, headers: n.headers, notification: body, detail: result.detail }, 'notification lost: the store could not take it and direct delivery failed');
      }
    })
    .catch((err: unknown) => {
      logger.error({ err, conversationId: n.conversationId, url: n.url, headers: n.headers, notification: body }, 'notification lost: the store could not take it and direct delivery failed');
    });
  inFlight.add(run);
  void run.finally(() => inFlight.delete(run));
  return run;
}

/** Resolves once every direct delivery started so far has finished. */
export async function unwrittenSettled(): Promise<void> {
  await Promise.allSettled([...inFlight]);
}
