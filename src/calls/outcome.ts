// How a call ended, in each dialect's words (docs/dialects/audiocodes.md and docs/dialects/kore.md, "Reason codes"). One pure
// table so the call, the notifications and GET /api/v1/calls all say the same thing.

import type { Dialect } from '../domain/index.js';

export type CallEnd =
  /** A final non-2xx response to the INVITE (including 408 from a transaction timeout). */
  | { kind: 'sip-final'; status: number; reason?: string; reasonHeader?: string; warning?: string }
  /** answerTimeoutSec / timeoutInMs passed and outdial CANCELled the INVITE. */
  | { kind: 'answer-timeout' }
  /** Early media (a 183's audio) played special information tones or an announcement: outdial CANCELled the INVITE. */
  | { kind: 'early-media'; cause: 'sit' | 'announcement' }
  /** The call never got a final response: no SIP edge, the daemon stopping, an internal error. */
  | { kind: 'not-answered'; cause: 'shutdown' | 'error'; detail?: string }
  /** An answered call ended. */
  | { kind: 'ended'; by: 'callee' }
  | { kind: 'ended'; by: 'bot'; transferred?: boolean }
  /** The SIP session timer (RFC 4028) lapsed: the SIP edge sent BYE with `Reason: SIP;cause=200;text="Session timer expired"`. */
  | { kind: 'ended'; by: 'session-timer' }
  | { kind: 'ended'; by: 'outdial'; cause: 'machine' | 'fax' | 'sit' | 'error' | 'shutdown'; detail?: string };

/** outdial itself ends a call (shutdown, an error): a CANCEL before the answer, a BYE after it. */
export function endedByOutdial(answered: boolean, cause: 'shutdown' | 'error', detail?: string): CallEnd {
  const more = detail === undefined ? {} : { detail };
  return answered ? { kind: 'ended', by: 'outdial', cause, ...more } : { kind: 'not-answered', cause, ...more };
}

export interface CallOutcome {
  status: 'failed' | 'completed';
  reasonCode: string;
  reason: string;
  sipStatus?: number;
}

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  480: 'Temporarily Unavailable',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
};

/**
 * True when a final response says the network blocked the call (spam labelling), not that the callee declined it
 * (docs/dialects/audiocodes.md, "Reason codes"): US carriers send "603+" (ATIS-1000099) — a 603 whose status line
 * or Reason header (RFC 3326, e.g. `SIP;cause=603;text="Network Blocked"`) reads "Network Blocked" — and an
 * intermediary's analytics reject with 608 Rejected (RFC 8688). Some carriers put the words in a Warning instead.
 */
export function blockedByNetwork(end: { status: number; reason?: string; reasonHeader?: string; warning?: string }): boolean {
  if (end.status === 608) return true;
  if (end.status !== 603) return false;
  return [end.reason, end.reasonHeader, end.warning].some((text) => text !== undefined && /network\s+blocked/i.test(text));
}

/** The reason of a call ended by special information tones in early media (an intercept), in both dialects. */
export const earlyMediaSitReason = 'sit: special information tone in early media';

/** The reason of a call ended by a recorded announcement (no SIT, no ringback) in early media, in both dialects. */
export const earlyMediaAnnouncementReason = 'announcement: intercept announcement in early media';

const earlyMediaReason = (cause: 'sit' | 'announcement'): string => (cause === 'sit' ? earlyMediaSitReason : earlyMediaAnnouncementReason);

/** The words a network-blocked call is reported with, in both dialects. */
export const networkBlockedPhrase = 'Network Blocked';

/** RFC 3261's reason phrase for a status; the far end's own phrase only for codes it does not list. */
export function reasonPhrase(status: number, received?: string): string {
  return reasonPhrases[status] ?? (received?.trim() || 'Unknown');
}

/** The AudioCodes failure reasonCode for a SIP final response. */
export function audiocodesFailureCode(status: number): 'busy' | 'declined' | 'no-answer' | 'error' {
  if (status === 486 || status === 600) return 'busy';
  if (status === 480 || status === 603 || status === 607 || status === 608) return 'declined';
  // no-answer covers answerTimeoutSec and a SIP timeout.
  if (status === 408 || status === 487) return 'no-answer';
  return 'error';
}

function audiocodesOutcome(end: CallEnd): CallOutcome {
  switch (end.kind) {
    case 'sip-final': {
      const phrase = blockedByNetwork(end) ? networkBlockedPhrase : reasonPhrase(end.status, end.reason);
      // The AudioCodes reason reads like a SIP Reason header: SIP ;cause=486 ;text="Busy Here"
      return { status: 'failed', reasonCode: audiocodesFailureCode(end.status), reason: `SIP ;cause=${end.status} ;text="${phrase}"`, sipStatus: end.status };
    }
    case 'answer-timeout':
      return { status: 'failed', reasonCode: 'no-answer', reason: 'answer timeout' };
    case 'early-media':
      return { status: 'failed', reasonCode: 'error', reason: earlyMediaReason(end.cause) };
    case 'not-answered':
      return { status: 'failed', reasonCode: 'error', reason: end.detail ?? (end.cause === 'shutdown' ? 'service shutting down' : 'call could not be placed') };
    case 'ended':
      if (end.by === 'callee') return { status: 'completed', reasonCode: 'client-disconnected', reason: 'client disconnected' };
      if (end.by === 'session-timer') return { status: 'completed', reasonCode: 'session-expired', reason: 'SIP session timer expired' };
      if (end.by === 'bot') {
        return end.transferred
          ? { status: 'completed', reasonCode: 'transferred', reason: 'call transferred' }
          : { status: 'completed', reasonCode: 'bot-disconnected', reason: 'bot disconnected' };
      }
      switch (end.cause) {
        case 'machine':
          return { status: 'completed', reasonCode: 'machine-detected', reason: 'voicemail detected' };
        case 'fax':
          return { status: 'completed', reasonCode: 'machine-detected', reason: 'fax detected' };
        case 'sit':
          return { status: 'completed', reasonCode: 'machine-detected', reason: 'special information tone detected' };
        case 'shutdown':
          return { status: 'completed', reasonCode: 'error', reason: end.detail ?? 'service shutting down' };
        case 'error':
          return { status: 'completed', reasonCode: 'error', reason: end.detail ?? 'unexpected error' };
      }
  }
}

function koreOutcome(end: CallEnd): CallOutcome {
  switch (end.kind) {
    case 'sip-final': {
      // Kore: reason "486 Busy Here", reasonCode "Busy Here"; a blocked call "603 Network Blocked".
      const phrase = blockedByNetwork(end) ? networkBlockedPhrase : reasonPhrase(end.status, end.reason);
      return { status: 'failed', reasonCode: phrase, reason: `${end.status} ${phrase}`, sipStatus: end.status };
    }
    case 'answer-timeout':
      // The INVITE was CANCELled, which the far end answers with 487.
      return { status: 'failed', reasonCode: 'no-answer', reason: '487 Request Terminated' };
    case 'early-media':
      // The CANCELled INVITE ends 487: its phrase is the reasonCode, the reason names the intercept.
      return { status: 'failed', reasonCode: 'Request Terminated', reason: earlyMediaReason(end.cause) };
    case 'not-answered':
      return { status: 'failed', reasonCode: 'Service Unavailable', reason: '503 Service Unavailable' };
    case 'ended':
      // Kore: an answered call's reason is always "200 OK"; the reasonCode names who hung up.
      if (end.by === 'callee') return { status: 'completed', reasonCode: 'caller-disconnected', reason: '200 OK' };
      if (end.by === 'bot') return { status: 'completed', reasonCode: 'bot-disconnected', reason: '200 OK' };
      if (end.by === 'session-timer') return { status: 'completed', reasonCode: 'session-expired', reason: '200 OK' };
      return { status: 'completed', reasonCode: 'SAVG-disconnected', reason: '200 OK' };
  }
}

/**
 * The final status, reasonCode and reason of a call that ended as `end`, in `dialect`'s vocabulary. jambonz
 * (inbound calls) names AMD events only, not how calls end: its calls use the AudioCodes words.
 */
export function callOutcome(dialect: Dialect, end: CallEnd): CallOutcome {
  return dialect === 'kore' ? koreOutcome(end) : audiocodesOutcome(end);
}

/**
 * Why the far end's side of a connected leg went: a BYE the SIP edge sent itself because the session timer
 * lapsed (drachtio-server and the embedded edge both put RFC 4028's Reason on it), or a plain hang-up.
 */
export type LegGoneCause = 'session-expired' | 'hung-up';

export function legGoneCause(bye: { get(name: string): string | undefined } | undefined): LegGoneCause {
  const reason = bye?.get('Reason');
  return typeof reason === 'string' && /text="Session timer expired"/i.test(reason) ? 'session-expired' : 'hung-up';
}
