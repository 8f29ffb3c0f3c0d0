// Bot events to the bot's eventsUrl (the AudioCodes Bot API shape, docs/dialects/audiocodes.md). Best effort: the bot also gets
// them as SIP INFO on its leg, and a slow or dead eventsUrl never holds up the call.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { deliveryRefusal, guardedDispatcher } from '../notify/destination-guard.js';
import { webhookHeaders } from '../notify/signature.js';
import type { BotEvent } from '../domain/index.js';

export interface BotEventPoster {
  post(url: string, event: BotEvent): void;
}

/** Signed like notifications (webhook-id, webhook-timestamp, webhook-signature, SAVG-Signature) with `secrets`. */
export function httpBotEventPoster(logger: Logger, secrets: readonly string[], timeoutMs = 5000): BotEventPoster {
  return {
    post(url, event) {
      const body = JSON.stringify(event);
      // The same destination policy as notifications (README "Security"), on the address connected to.
      const refused = deliveryRefusal(url);
      if (refused !== undefined) {
        logger.warn({ url, event: event.name, detail: refused }, 'bot eventsUrl refused by the destination policy');
        return;
      }
      fetch(url, {
        dispatcher: guardedDispatcher(),
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhookHeaders(secrets, `msg_${randomUUID()}`, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
        .then(async (res) => {
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) logger.warn({ url, event: event.name, status: res.status }, 'bot eventsUrl refused an event');
        })
        .catch((err: unknown) => logger.warn({ url, event: event.name, err }, 'bot eventsUrl unreachable'));
    },
  };
}
