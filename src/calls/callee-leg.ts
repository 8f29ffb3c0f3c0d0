// The leg to the person being called: an INVITE over the account's trunk (or to the sip: target itself),
// From the dialout's caller, with the conversation id in X-Conversation-Id.

import type Srf from 'drachtio-srf';
import { fromHeader, type DialoutRequest } from '../dialout/index.js';
import type { LegMedia } from '../media/index.js';
import type { TrunkInvite } from '../trunks/index.js';
import { InviteRejected, UacLeg, type InviteTarget, type UacLegServices } from './uac-leg.js';

export interface CalleeLegHooks {
  /** A 180 or 183 arrived; `sdp` when a 183 carries early media. */
  onProvisional(status: number, sdp?: string): void;
  /** answerTimeoutMs passed without an answer. */
  onAnswerTimeout(): void;
}

export class CalleeLeg extends UacLeg {
  constructor(
    services: UacLegServices,
    private readonly req: DialoutRequest,
    /** The host of the From URI when the dialout names a caller but no callerHost. */
    private readonly localHost: string,
    private readonly hooks: CalleeLegHooks,
    /** RFC 4028 Session-Expires the INVITE asks for (sip.sessionExpiresSec); 0 asks for no session timer. */
    private readonly sessionExpiresSec = 0,
  ) {
    super(services);
  }

  /**
   * Opens media and INVITEs the callee (through `target`, the call's first trunk, or as routed at dialout
   * time); resolves once answered, throws InviteRejected / InviteCancelled / Error.
   */
  async connect(target: InviteTarget = this.firstTarget()): Promise<Srf.Dialog> {
    await this.openMedia();
    this.startAnswerTimer(this.req.answerTimeoutMs, () => this.hooks.onAnswerTimeout());
    return this.inviteTarget(target);
  }

  /** Starts the callee's media from its SDP answer; throws an SdpError when it is unusable. */
  answer(dialog: Srf.Dialog): void {
    this.startMedia(dialog);
  }

  /** The INVITE's destination as routed at dialout time. */
  firstTarget(): InviteTarget {
    const { req } = this;
    return {
      uri: req.requestUri,
      headers: withExtraHeaders(this.inviteHeaders(), req.sipHeaders ?? {}, this.extensionHeaders()),
      ...(req.trunk?.auth && { auth: { username: req.trunk.auth.username, password: req.trunk.auth.password } }),
    };
  }

  /** The INVITE through one trunk of the call's route: its URI, its From host, its headers, its credentials. */
  targetFor(invite: TrunkInvite): InviteTarget {
    return {
      uri: invite.requestUri,
      headers: withExtraHeaders(this.inviteHeaders(invite.fromHost), invite.headers, this.extensionHeaders()),
      ...(invite.auth && { auth: invite.auth }),
      ...(invite.proxy !== undefined && { proxy: invite.proxy }),
    };
  }

  /**
   * Places the INVITE to one target. The one step a trunk failover repeats with its next target: the leg's
   * media, answer timer and CANCEL handling stay the same across attempts.
   */
  async inviteTarget(target: InviteTarget): Promise<Srf.Dialog> {
    const onProvisional = (status: number, sdp?: string) => this.hooks.onProvisional(status, sdp);
    try {
      return await this.invite(target, onProvisional);
    } catch (err) {
      // RFC 4028 §7.4: a 422 names the shortest interval the far end takes; the INVITE goes once more with it.
      // The embedded edge does this itself; a drachtio-server passes the 422 up, so the leg does it here.
      const retry = err instanceof InviteRejected ? retryAfter422(target, err) : undefined;
      if (!retry) throw err;
      return this.invite(retry, onProvisional);
    }
  }

  /** Starts the callee's media on a 183's SDP (early media); the media, or undefined when it cannot start. */
  listenEarly(sdp: string): LegMedia | undefined {
    return this.startEarlyMedia(sdp) ? this.media : undefined;
  }

  /**
   * What the INVITE says it can do, for both SIP edges (a drachtio-server adds neither): reliable provisional
   * responses (RFC 3262; drachtio-srf PRACKs them) and session timers (RFC 4028; the edge refreshes them).
   */
  private extensionHeaders(): Record<string, string> {
    if (this.sessionExpiresSec <= 0) return { Supported: '100rel' };
    return { Supported: '100rel, timer', 'Session-Expires': String(this.sessionExpiresSec) };
  }

  private inviteHeaders(trunkFromHost?: string): Record<string, string> {
    const { req } = this;
    const headers: Record<string, string> = {};
    if (req.caller !== undefined) {
      headers.From = fromHeader(req.caller, req.callerHost ?? trunkFromHost ?? this.localHost, req.callerDisplayName);
    }
    if (req.callId !== undefined) headers['Call-ID'] = req.callId;
    headers['X-Conversation-Id'] = req.conversationId;
    return headers;
  }
}

/**
 * The trunk's and the dialout's headers beside the call's own; the call's own (From, Call-ID, X-Conversation-Id)
 * win, and `defaults` (Supported, Session-Expires) go only where neither names the header.
 */
function withExtraHeaders(own: Record<string, string>, extra: Record<string, string>, defaults: Record<string, string> = {}): Record<string, string> {
  const taken = new Set(Object.keys(own).map((name) => name.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra)) if (!taken.has(name.toLowerCase())) out[name] = value;
  for (const name of Object.keys(out)) taken.add(name.toLowerCase());
  for (const [name, value] of Object.entries(defaults)) if (!taken.has(name.toLowerCase())) out[name] = value;
  return { ...out, ...own };
}

/** The target again with the interval a 422 asks for (Session-Expires and Min-SE), or undefined when it asks nothing larger. */
function retryAfter422(target: InviteTarget, rejection: InviteRejected): InviteTarget | undefined {
  const tooSmall = rejection.tooSmall;
  if (rejection.status !== 422 || !tooSmall) return undefined;
  const name = Object.keys(target.headers).find((h) => h.toLowerCase() === 'session-expires');
  const asked = Number(/^\s*(\d+)/.exec(name ? (target.headers[name] ?? '') : '')?.[1] ?? NaN);
  if (!name || !(tooSmall.minSE > asked)) return undefined;
  // The same Call-ID, as §7.4 has it (the request is the same call, asked again).
  const headers = Object.fromEntries(Object.entries(target.headers).filter(([h]) => !/^(session-expires|min-se|call-id)$/i.test(h)));
  const se = String(tooSmall.minSE);
  return { ...target, headers: { ...headers, 'Call-ID': tooSmall.callId, 'Session-Expires': se, 'Min-SE': se } };
}
