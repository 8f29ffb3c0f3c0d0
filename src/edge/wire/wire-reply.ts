import type { AppReply } from '../core/app-port.js';
import { apiResponse, sentRequestEcho, sentResponseEcho } from './wire-format.js';
import type { WireClient } from './wire-client.js';

/** The stack's answer to the app frame `msgId`, as the drachtio `response|<msgId>|OK|…` / `|NO|…` frames. */
export function wireReply(client: WireClient, msgId: string): AppReply {
  return {
    requestSent: (raw, to, transactionId) => client.send(sentRequestEcho(msgId, raw, to, transactionId)),
    responseSent: (raw, to, transactionId, dialogId) => client.send(sentResponseEcho(msgId, raw, to, transactionId, dialogId)),
    accepted: () => client.send(apiResponse(msgId, true, 'Msg sent:')),
    refused: (reason) => client.send(apiResponse(msgId, false, reason)),
  };
}
