import { describe, expect, it } from 'vitest';
import { callOutcome, legGoneCause, type CallEnd } from '../../src/calls/outcome.js';

// One row per way a call can end: [end, AudioCodes (seed 003), Kore (seeds 000–001)].
const rows: [string, CallEnd, { status: string; reasonCode: string; reason: string }, { status: string; reasonCode: string; reason: string }][] = [
  ['486', { kind: 'sip-final', status: 486, reason: 'Busy Here' }, { status: 'failed', reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' }, { status: 'failed', reasonCode: 'Busy Here', reason: '486 Busy Here' }],
  ['600', { kind: 'sip-final', status: 600 }, { status: 'failed', reasonCode: 'busy', reason: 'SIP ;cause=600 ;text="Busy Everywhere"' }, { status: 'failed', reasonCode: 'Busy Everywhere', reason: '600 Busy Everywhere' }],
  ['480', { kind: 'sip-final', status: 480, reason: 'Temporarily Unavailable' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=480 ;text="Temporarily Unavailable"' }, { status: 'failed', reasonCode: 'Temporarily Unavailable', reason: '480 Temporarily Unavailable' }],
  ['603', { kind: 'sip-final', status: 603, reason: 'Decline' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Decline"' }, { status: 'failed', reasonCode: 'Decline', reason: '603 Decline' }],
  ['503', { kind: 'sip-final', status: 503, reason: 'Service Unavailable' }, { status: 'failed', reasonCode: 'error', reason: 'SIP ;cause=503 ;text="Service Unavailable"' }, { status: 'failed', reasonCode: 'Service Unavailable', reason: '503 Service Unavailable' }],
  ['404', { kind: 'sip-final', status: 404, reason: 'Not Found' }, { status: 'failed', reasonCode: 'error', reason: 'SIP ;cause=404 ;text="Not Found"' }, { status: 'failed', reasonCode: 'Not Found', reason: '404 Not Found' }],
  ['408 (SIP timeout)', { kind: 'sip-final', status: 408 }, { status: 'failed', reasonCode: 'no-answer', reason: 'SIP ;cause=408 ;text="Request Timeout"' }, { status: 'failed', reasonCode: 'Request Timeout', reason: '408 Request Timeout' }],
  ['487', { kind: 'sip-final', status: 487 }, { status: 'failed', reasonCode: 'no-answer', reason: 'SIP ;cause=487 ;text="Request Terminated"' }, { status: 'failed', reasonCode: 'Request Terminated', reason: '487 Request Terminated' }],
  ['603+ Network Blocked status line (ATIS-1000099)', { kind: 'sip-final', status: 603, reason: 'Network Blocked' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Network Blocked"' }, { status: 'failed', reasonCode: 'Network Blocked', reason: '603 Network Blocked' }],
  ['603 Decline with a Network Blocked Reason header', { kind: 'sip-final', status: 603, reason: 'Decline', reasonHeader: 'SIP;cause=603;text="Network Blocked";location=TN' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Network Blocked"' }, { status: 'failed', reasonCode: 'Network Blocked', reason: '603 Network Blocked' }],
  ['603 Decline with a Network Blocked Warning', { kind: 'sip-final', status: 603, reason: 'Decline', warning: '399 carrier.example "Network Blocked"' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Network Blocked"' }, { status: 'failed', reasonCode: 'Network Blocked', reason: '603 Network Blocked' }],
  ['603 Decline with an unrelated Reason header stays a decline', { kind: 'sip-final', status: 603, reason: 'Decline', reasonHeader: 'Q.850;cause=21;text="Call rejected"' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Decline"' }, { status: 'failed', reasonCode: 'Decline', reason: '603 Decline' }],
  ['608 Rejected by an intermediary (RFC 8688)', { kind: 'sip-final', status: 608, reason: 'Rejected' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=608 ;text="Network Blocked"' }, { status: 'failed', reasonCode: 'Network Blocked', reason: '608 Network Blocked' }],
  ['607 Unwanted is the callee\'s own choice', { kind: 'sip-final', status: 607, reason: 'Unwanted' }, { status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=607 ;text="Unwanted"' }, { status: 'failed', reasonCode: 'Unwanted', reason: '607 Unwanted' }],
  ['486 with a Network Blocked Warning is still busy', { kind: 'sip-final', status: 486, reason: 'Busy Here', warning: '399 x "Network Blocked"' }, { status: 'failed', reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' }, { status: 'failed', reasonCode: 'Busy Here', reason: '486 Busy Here' }],
  ['unlisted code keeps the far end phrase', { kind: 'sip-final', status: 499, reason: 'Carrier Says No' }, { status: 'failed', reasonCode: 'error', reason: 'SIP ;cause=499 ;text="Carrier Says No"' }, { status: 'failed', reasonCode: 'Carrier Says No', reason: '499 Carrier Says No' }],
  ['answer timeout', { kind: 'answer-timeout' }, { status: 'failed', reasonCode: 'no-answer', reason: 'answer timeout' }, { status: 'failed', reasonCode: 'no-answer', reason: '487 Request Terminated' }],
  [
    'SIT in early media',
    { kind: 'early-media', cause: 'sit' },
    { status: 'failed', reasonCode: 'error', reason: 'sit: special information tone in early media' },
    { status: 'failed', reasonCode: 'Request Terminated', reason: 'sit: special information tone in early media' },
  ],
  [
    'recorded announcement (no SIT) in early media',
    { kind: 'early-media', cause: 'announcement' },
    { status: 'failed', reasonCode: 'error', reason: 'announcement: intercept announcement in early media' },
    { status: 'failed', reasonCode: 'Request Terminated', reason: 'announcement: intercept announcement in early media' },
  ],
  ['not placed: error', { kind: 'not-answered', cause: 'error', detail: 'no SIP edge' }, { status: 'failed', reasonCode: 'error', reason: 'no SIP edge' }, { status: 'failed', reasonCode: 'Service Unavailable', reason: '503 Service Unavailable' }],
  ['not answered: shutdown', { kind: 'not-answered', cause: 'shutdown' }, { status: 'failed', reasonCode: 'error', reason: 'service shutting down' }, { status: 'failed', reasonCode: 'Service Unavailable', reason: '503 Service Unavailable' }],
  ['callee BYE', { kind: 'ended', by: 'callee' }, { status: 'completed', reasonCode: 'client-disconnected', reason: 'client disconnected' }, { status: 'completed', reasonCode: 'caller-disconnected', reason: '200 OK' }],
  ['bot BYE', { kind: 'ended', by: 'bot' }, { status: 'completed', reasonCode: 'bot-disconnected', reason: 'bot disconnected' }, { status: 'completed', reasonCode: 'bot-disconnected', reason: '200 OK' }],
  ['bot transferred', { kind: 'ended', by: 'bot', transferred: true }, { status: 'completed', reasonCode: 'transferred', reason: 'call transferred' }, { status: 'completed', reasonCode: 'bot-disconnected', reason: '200 OK' }],
  ['outdial hangs up on a machine', { kind: 'ended', by: 'outdial', cause: 'machine' }, { status: 'completed', reasonCode: 'machine-detected', reason: 'voicemail detected' }, { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' }],
  ['outdial hangs up on a fax', { kind: 'ended', by: 'outdial', cause: 'fax' }, { status: 'completed', reasonCode: 'machine-detected', reason: 'fax detected' }, { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' }],
  ['outdial hangs up on a SIT', { kind: 'ended', by: 'outdial', cause: 'sit' }, { status: 'completed', reasonCode: 'machine-detected', reason: 'special information tone detected' }, { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' }],
  ['outdial ends on error', { kind: 'ended', by: 'outdial', cause: 'error', detail: 'RTP lost' }, { status: 'completed', reasonCode: 'error', reason: 'RTP lost' }, { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' }],
  ['outdial ends on shutdown', { kind: 'ended', by: 'outdial', cause: 'shutdown' }, { status: 'completed', reasonCode: 'error', reason: 'service shutting down' }, { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' }],
];

describe('call outcome table', () => {
  it.each(rows)('%s', (_name, end, audiocodes, kore) => {
    expect(callOutcome('audiocodes', end)).toMatchObject(audiocodes);
    expect(callOutcome('kore', end)).toMatchObject(kore);
  });

  it('carries the SIP status of a rejected INVITE, and none for ends without one', () => {
    expect(callOutcome('kore', { kind: 'sip-final', status: 486 }).sipStatus).toBe(486);
    expect(callOutcome('audiocodes', { kind: 'sip-final', status: 603 }).sipStatus).toBe(603);
    expect(callOutcome('audiocodes', { kind: 'answer-timeout' }).sipStatus).toBeUndefined();
    expect(callOutcome('kore', { kind: 'ended', by: 'callee' }).sipStatus).toBeUndefined();
  });
});

describe('a session timer that lapsed', () => {
  const bye = (reason?: string) => ({ get: (name: string) => (name === 'Reason' ? reason : undefined) });
  it('is told apart from a plain hang-up by the Reason the SIP edge puts on its BYE', () => {
    expect(legGoneCause(bye('SIP;cause=200;text="Session timer expired"'))).toBe('session-expired');
    expect(legGoneCause(bye('Q.850;cause=16;text="Normal call clearing"'))).toBe('hung-up');
    expect(legGoneCause(bye())).toBe('hung-up');
    expect(legGoneCause(undefined)).toBe('hung-up');
  });
  it('ends the call as session-expired in both dialects', () => {
    expect(callOutcome('audiocodes', { kind: 'ended', by: 'session-timer' })).toEqual({ status: 'completed', reasonCode: 'session-expired', reason: 'SIP session timer expired' });
    expect(callOutcome('kore', { kind: 'ended', by: 'session-timer' })).toEqual({ status: 'completed', reasonCode: 'session-expired', reason: '200 OK' });
  });
});
