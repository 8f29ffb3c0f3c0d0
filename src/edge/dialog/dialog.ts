import { SipRequest } from '../message/index.js';

export type DialogRole = 'uac' | 'uas';
export type DialogState = 'confirmed' | 'terminated';

/**
 * RFC 3261 §12 dialog state: Call-ID, tags, CSeq numbers, route set and remote target. `id` is the
 * dialog id drachtio-srf knows it by: the Call-ID and the From tag of the request that created it.
 */
export class Dialog {
  state: DialogState = 'confirmed';
  /** CSeq number of the last INVITE we sent in this dialog, for its ACK (§13.2.2.4). */
  inviteSeq: number;
  /** The last ACK we sent for a 2xx, re-sent when that 2xx is retransmitted. */
  lastAck: { seq: number; raw: string } | undefined;
  lastAckDestination: { address: string; port: number } | undefined;
  /** Our last 2xx to an INVITE that is still waiting for its ACK (§13.3.1.4). */
  unackedAnswer: { seq: number; stop: () => void } | undefined;

  constructor(
    readonly id: string,
    readonly role: DialogRole,
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    /** Our From/To value without its tag. */
    readonly localUri: string,
    readonly remoteUri: string,
    public localSeq: number,
    public remoteSeq: number | undefined,
    public remoteTarget: string,
    /** Route set in the order requests carry it (§12.1.1, §12.1.2). */
    readonly routeSet: readonly string[],
    /** Our Contact. */
    readonly localContact: string,
  ) {
    this.inviteSeq = localSeq;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** §12.2.1.1: a request inside the dialog; the caller adds Via, Max-Forwards and the body. */
  createRequest(method: string): SipRequest {
    const seq = method === 'ACK' ? this.inviteSeq : ++this.localSeq;
    if (method === 'INVITE') this.inviteSeq = seq;
    return this.createRequestWithSeq(method, seq);
  }

  createRequestWithSeq(method: string, seq: number): SipRequest {
    let uri = this.remoteTarget;
    const routes = [...this.routeSet];
    // Strict router at the head of the route set (§12.2.1.1): it becomes the Request-URI.
    const first = routes[0];
    if (first && !/;lr\b/i.test(first)) {
      uri = first.replace(/^<|>.*$/g, '');
      routes.shift();
      routes.push(`<${this.remoteTarget}>`);
    }
    const req = new SipRequest(method, uri);
    for (const r of routes) req.append('Route', r);
    req.set('From', `${this.localUri};tag=${this.localTag}`);
    req.set('To', `${this.remoteUri};tag=${this.remoteTag}`);
    req.set('Call-ID', this.callId);
    req.set('CSeq', `${seq} ${method}`);
    return req;
  }
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return callId + '|' + localTag + '|' + remoteTag;
}

/** drachtio's dialog id convention, which drachtio-srf's findDialogByCallIDAndFromTag relies on. */
export function dialogIdFor(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}
