import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/**
 * How the RFC 3261 cores talk to the applications above them, whatever carries it (the drachtio wire
 * protocol in `wire/`). The cores never see a wire frame: they get requests and responses with the ids
 * the app named, and answer through an `AppReply`.
 */

/** A SIP message handed to an app: from the network, or one the stack sent on its own (e.g. a BYE). */
export interface AppDelivery {
  source: 'network' | 'application';
  raw: string;
  peer: Peer;
  /** The transaction the app answers or cancels by; the stack makes one up for messages outside any. */
  transactionId: string;
  /** The dialog the message belongs to, '' when none. */
  dialogId: string;
}

/** One connected application. */
export interface AppConnection {
  deliver(delivery: AppDelivery): void;
}

/** The applications connected, for requests that no dialog or transaction ties to one of them. */
export interface AppDirectory {
  /** The app that takes out-of-dialog requests with this method, if any. */
  routing(method: string): AppConnection | undefined;
  /** Whether any app is connected at all. */
  connected(): boolean;
  /** Methods some app takes. */
  routedMethods(): string[];
}

/** What an app asked the stack to send: a request (new, in a dialog, or a CANCEL) or a response. */
export interface RequestFromApp {
  request: SipRequest;
  /** For a CANCEL: the INVITE's transaction. */
  transactionId: string | undefined;
  /** For a request inside a dialog. */
  dialogId: string | undefined;
  /** Send via this proxy instead of the Request-URI or Route. */
  proxy: string | undefined;
}

export interface ResponseFromApp {
  response: SipResponse;
  /** The server transaction it answers. */
  transactionId: string;
}

/** How the stack answers one thing an app asked for. */
export interface AppReply {
  requestSent(raw: string, to: Peer, transactionId: string): void;
  responseSent(raw: string, to: Peer, transactionId: string, dialogId: string): void;
  /** Taken, nothing sent (the 100 Trying the stack had already sent). */
  accepted(): void;
  refused(reason: string): void;
}
