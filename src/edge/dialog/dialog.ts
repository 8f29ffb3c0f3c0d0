import { SipRequest } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { dialogKey, type DialogState } from './dialog-state.js';

/**
 * A dialog the edge keeps (RFC 3261 §12): its `DialogState`, and what the stack does on its own inside it:
 * the ACK re-sent for a retransmitted 2xx (§13.2.2.4) and our 2xx repeated until its ACK (§13.3.1.4).
 */
export class Dialog {
  ended = false;
  /** CSeq number of the last INVITE we sent in this dialog, for its ACK (§13.2.2.4). */
  inviteSeq: number;
  /** The last ACK we sent for a 2xx, re-sent when that 2xx is retransmitted. */
  lastAck: { seq: number; raw: string; to: Peer } | undefined;
  /** Our last 2xx to an INVITE that is still waiting for its ACK (§13.3.1.4). */
  unackedAnswer: { seq: number; stop: () => void } | undefined;
  /** The session description we last offered or answered, sent again in a session refresh (RFC 4028). */
  localSdp = '';
  /** The session timer running for the dialog (RFC 4028), if one was negotiated. */
  sessionTimer: { stop: () => void } | undefined;

  constructor(readonly state: DialogState) {
    this.inviteSeq = state.localSequenceNumber;
  }

  get id(): string {
    return this.state.id;
  }

  get key(): string {
    return dialogKey(this.state.callId, this.state.localTag, this.state.remoteTag);
  }

  /** §12.2.1.1: a request inside the dialog; the caller adds Via, Max-Forwards and the body. */
  createRequest(method: string): SipRequest {
    const s = this.state;
    const seq = method === 'ACK' ? this.inviteSeq : ++s.localSequenceNumber;
    if (method === 'INVITE') this.inviteSeq = seq;
    let uri = s.remoteTarget;
    const routes = [...s.routeSet];
    // Strict router at the head of the route set (§12.2.1.1): it becomes the Request-URI.
    const first = routes[0];
    if (first && !/;lr\b/i.test(first)) {
      uri = first.replace(/^<|>.*$/g, '');
      routes.shift();
      routes.push(`<${s.remoteTarget}>`);
    }
    const req = new SipRequest(method, uri);
    for (const r of routes) req.append('Route', r);
    req.set('From', `${s.localURI};tag=${s.localTag}`);
    req.set('To', `${s.remoteURI};tag=${s.remoteTag}`);
    req.set('Call-ID', s.callId);
    req.set('CSeq', `${seq} ${method}`);
    return req;
  }

  /** §12.2.2: a request from the far end with a lower CSeq than the last one is out of order. */
  acceptRemoteSequence(seq: number): boolean {
    if (this.state.remoteSequenceNumber !== undefined && seq < this.state.remoteSequenceNumber) return false;
    this.state.remoteSequenceNumber = seq;
    return true;
  }

  /** Stops whatever the stack was doing on its own in the dialog. */
  end(): void {
    this.ended = true;
    this.unackedAnswer?.stop();
    this.unackedAnswer = undefined;
    this.sessionTimer?.stop();
    this.sessionTimer = undefined;
  }
}
