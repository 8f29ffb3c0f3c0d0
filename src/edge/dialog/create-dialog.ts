import { parseCSeq, tagOf, uriOf, withoutTag, type SipRequest, type SipResponse } from '../message/index.js';
import { Dialog } from './dialog.js';
import { dialogIdFor } from './dialog-state.js';

/**
 * §12.1.2: the dialog a 2xx (or, RFC 3262, a reliable provisional) to our INVITE creates; none when the response
 * names no Contact to reach the far end at and no `fallbackTarget` is given.
 */
export function dialogFromOurInvite(invite: SipRequest, answer: SipResponse, ourContact: string, fallbackTarget?: string): Dialog | undefined {
  const contact = answer.get('contact');
  if (!contact && !fallbackTarget) return undefined;
  const callId = invite.get('call-id') ?? '';
  const localTag = tagOf(invite.get('from')) ?? '';
  const dialog = new Dialog({
    id: dialogIdFor(callId, localTag),
    role: 'uac',
    callId,
    localTag,
    remoteTag: tagOf(answer.get('to')) ?? '',
    localSequenceNumber: parseCSeq(invite.get('cseq')).seq,
    remoteSequenceNumber: undefined,
    localURI: withoutTag(invite.get('from') ?? ''),
    remoteURI: withoutTag(answer.get('to') ?? ''),
    remoteTarget: contact ? uriOf(contact) : (fallbackTarget ?? ''),
    // The UAC takes the Record-Route values in reverse order.
    routeSet: [...answer.getAll('record-route')].reverse(),
    localContact: invite.get('contact') ?? ourContact,
  });
  dialog.localSdp = invite.body;
  return dialog;
}

/** §12.1.1: the dialog our 2xx to their INVITE creates. */
export function dialogFromTheirInvite(invite: SipRequest, answer: SipResponse, localTag: string, ourContact: string): Dialog {
  const callId = invite.get('call-id') ?? '';
  const remoteTag = tagOf(invite.get('from')) ?? '';
  const contact = invite.get('contact');
  const dialog = new Dialog({
    id: dialogIdFor(callId, remoteTag),
    role: 'uas',
    callId,
    localTag,
    remoteTag,
    localSequenceNumber: Math.floor(Math.random() * 30000) + 1,
    remoteSequenceNumber: parseCSeq(invite.get('cseq')).seq,
    localURI: withoutTag(invite.get('to') ?? ''),
    remoteURI: withoutTag(invite.get('from') ?? ''),
    remoteTarget: contact ? uriOf(contact) : invite.uri,
    routeSet: [...invite.getAll('record-route')],
    localContact: answer.get('contact') ?? ourContact,
  });
  dialog.localSdp = answer.body;
  return dialog;
}
