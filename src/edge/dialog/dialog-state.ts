/**
 * RFC 3261 §12 dialog state as one value: the dialog id, the sequence numbers, the URIs, the remote target
 * and the route set (the same pieces SIP.js's DialogState names). What changes during the dialog is in the
 * mutable fields; the rest is fixed when the dialog is created (§12.1.1, §12.1.2).
 */
export interface DialogState {
  /** The id drachtio-srf knows the dialog by: the Call-ID and the From tag of the request that created it. */
  readonly id: string;
  /** Whether we sent (uac) or answered (uas) the INVITE that created it. */
  readonly role: 'uac' | 'uas';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** CSeq number of the last request we sent in the dialog. */
  localSequenceNumber: number;
  /** CSeq number of the last request the far end sent; unset until it sends one (§12.2.2). */
  remoteSequenceNumber: number | undefined;
  /** Our From/To value without its tag. */
  readonly localURI: string;
  readonly remoteURI: string;
  /** Where in-dialog requests go: the far end's Contact, refreshed by target refresh requests (§12.2). */
  remoteTarget: string;
  /** Route set in the order requests carry it. */
  readonly routeSet: readonly string[];
  /** Our Contact. */
  readonly localContact: string;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return callId + '|' + localTag + '|' + remoteTag;
}

/** drachtio's dialog id convention, which drachtio-srf's findDialogByCallIDAndFromTag relies on. */
export function dialogIdFor(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}
