// One leg outdial places as a user agent client (RFC 3261 §13.2): its media, its INVITE with an answer
// timer, CANCEL, the answer's SDP, the far end's BYE, and teardown in every race. The callee leg and the
// bot leg are this sequence with their own headers and hooks.

import Srf from 'drachtio-srf';
import type { Cancel, Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import type { LegMedia, MediaPath } from '../media/index.js';
import { hangUp } from './hang-up.js';
import { SipLeg } from './sip-leg.js';
import { uacProgress } from './uac-progress.js';

/** What a leg needs of drachtio-srf: placing an INVITE. */
export type UacSignalling = Pick<Srf, 'createUAC'>;

export interface UacLegServices {
  srf: UacSignalling;
  media: MediaPath;
  clock: Clock;
  logger: Logger;
  /** After a CANCEL, how long to wait for the INVITE's final response before giving up on it. */
  cancelGraceMs: number;
}

/** Where one INVITE goes and what it carries. */
export interface InviteTarget {
  uri: string;
  headers: Record<string, string>;
  auth?: { username: string; password: string };
  /** Where to send it when not to the Request-URI's host: the address DNS chose for a trunk (docs/trunks.md). */
  proxy?: string;
}

/** The INVITE got a final non-2xx response that outdial did not cause by a CANCEL. */
export class InviteRejected extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    /** False for the 408/503 the SIP stack makes up for a silent or unreachable far end (no To tag). */
    readonly fromFarEnd = true,
    /** The response's Reason (RFC 3326) and Warning headers: they tell a network block from a callee's decline. */
    readonly signals: { reasonHeader?: string; warning?: string } = {},
    /** A 422's Min-SE (RFC 4028 §6): the shortest session interval the far end takes, and the INVITE's Call-ID. */
    readonly tooSmall?: { minSE: number; callId: string },
  ) {
    super(`INVITE answered ${status}${reason ? ` ${reason}` : ''}`);
  }
}

/** The leg was ended (CANCEL sent, or not even sent) before it connected; a 200 crossing the CANCEL was hung up. */
export class InviteCancelled extends Error {}

/** A drachtio-srf SipError: a final non-2xx response, with the response itself as `res`. */
function sipStatusOf(
  err: unknown,
): { status: number; reason?: string; fromFarEnd: boolean; signals: { reasonHeader?: string; warning?: string }; tooSmall?: { minSE: number; callId: string } } | undefined {
  if (!(err instanceof Srf.SipError) || err.status < 300) return undefined;
  const header = (name: string): string | undefined => {
    const value = err.res?.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  // Every response of a far end carries its To tag; the stack's own 408 (Timer B) and 503 do not.
  const to = err.res?.get('To');
  const fromFarEnd = to === undefined || /;\s*tag=/i.test(to);
  // Reason (RFC 3326) and Warning tell a network's spam block from a callee's decline (src/calls/outcome.ts).
  const reasonHeader = header('Reason');
  const warning = header('Warning');
  const signals = { ...(reasonHeader !== undefined && { reasonHeader }), ...(warning !== undefined && { warning }) };
  // RFC 4028 §6: a 422 names the shortest session interval the far end takes.
  const minSE = err.status === 422 ? Number(/^\s*(\d{1,10})/.exec(header('Min-SE') ?? '')?.[1] ?? NaN) : NaN;
  const callId = header('Call-ID') ?? '';
  const tooSmall = Number.isFinite(minSE) && callId ? { minSE, callId } : undefined;
  return { status: err.status, ...(err.reason !== undefined && { reason: err.reason }), fromFarEnd, signals, ...(tooSmall && { tooSmall }) };
}

/** The SDP a 183 Session Progress carries, if any. */
function earlySdpOf(res: Srf.SrfResponse): string | undefined {
  if (res.status !== 183) return undefined;
  const body = (res as { body?: unknown }).body;
  return typeof body === 'string' && /^v=0/m.test(body) ? body : undefined;
}

/** How one INVITE came out: its dialog, or why there is none. */
type Attempt = { dialog: Srf.Dialog; err?: undefined } | { dialog?: undefined; err: unknown };

export abstract class UacLeg extends SipLeg<'opening' | 'inviting', UacLegServices> {
  private opening: Promise<unknown> | undefined;
  /** Ends the INVITE in flight without its final response: a far end that answers neither it nor its CANCEL. */
  private giveUp: ((attempt: Attempt) => void) | undefined;
  private stopGiveUpTimer: Cancel = () => undefined;
  private sent: Srf.SrfRequest | undefined;
  private cancelWanted = false;
  /** Settles once the INVITE in flight is complete, a crossing 200 included. */
  private completion: Promise<void> = Promise.resolve();
  private stopAnswerTimer: Cancel = () => undefined;
  /** When the first INVITE left (epoch ms). */
  inviteSentAt: number | undefined;

  protected constructor(services: UacLegServices) {
    super(services);
  }

  /** Opens the leg's media (beside `bridgeTo`'s, when given); throws InviteCancelled when the leg was ended meanwhile. */
  protected async openMedia(bridgeTo?: LegMedia): Promise<LegMedia> {
    this.phase = 'opening';
    const opening = this.services.media.openLeg(this.services.logger, bridgeTo);
    this.opening = opening.catch(() => undefined);
    const media = await opening;
    if (this.gone) {
      media.close();
      throw new InviteCancelled('the leg ended before its INVITE was sent');
    }
    this.legMedia = media;
    return media;
  }

  /** After `ms` without an answer, `onTimeout` runs (by default the INVITE is CANCELled). */
  protected startAnswerTimer(ms: number, onTimeout: () => void = () => this.cancel()): void {
    this.stopAnswerTimer = this.services.clock.after(ms, onTimeout);
  }

  /**
   * Sends one INVITE with this leg's offer; resolves with the dialog once answered (2xx, ACKed by
   * drachtio). Throws InviteRejected, InviteCancelled, or the transport's error.
   */
  protected async invite(target: InviteTarget, onProvisional?: (status: number, sdp?: string) => void): Promise<Srf.Dialog> {
    const media = this.legMedia;
    if (!media || this.phase === 'gone') throw new InviteCancelled('the leg ended before its INVITE was sent');
    this.phase = 'inviting';
    this.inviteSentAt ??= this.services.clock.now();
    const attempt: Promise<Attempt> = this.services.srf
      .createUAC(
        target.uri,
        { localSdp: media.offer, headers: target.headers, ...(target.auth && { auth: target.auth }), ...(target.proxy !== undefined && { proxy: target.proxy }) },
        uacProgress({
          onRequest: (sent) => {
            this.sent = sent;
            // A CANCEL asked for before the INVITE left could not be sent then.
            if (this.cancelWanted) this.sendCancel();
          },
          ...(onProvisional && { onProvisional: (res: Srf.SrfResponse) => onProvisional(res.status, earlySdpOf(res)) }),
        }),
      )
      .then(
        async (dialog): Promise<Attempt> => {
          if (!this.cancelWanted) return { dialog };
          // The 200 crossed our CANCEL: the far end is connected, so it gets a BYE.
          await hangUp(dialog, this.services.clock, this.services.logger);
          return { err: new InviteCancelled('answered after the INVITE was CANCELled; hung up') };
        },
        (err: unknown): Attempt => ({ err }),
      );
    this.completion = attempt.then(() => undefined);
    this.services.logger.debug({ uri: target.uri, ...(target.proxy !== undefined && { proxy: target.proxy }) }, 'INVITE sent');
    // A CANCEL is answered at once by a live far end (RFC 3261 §9.2: 200 to the CANCEL, 487 to the INVITE);
    // one that answers neither would hold the leg until Timer B (32 s), far past the timeout that cancelled it.
    const gaveUp = new Promise<Attempt>((resolve) => (this.giveUp = resolve));
    const { dialog, err } = await Promise.race([attempt, gaveUp]);
    this.giveUp = undefined;
    this.stopGiveUpTimer();
    const sip = dialog ? undefined : sipStatusOf(err);
    this.services.logger.debug({ uri: target.uri, ...(dialog ? { answered: true } : { err: sip?.status ?? String(err) }) }, 'INVITE completed');
    this.sent = undefined;
    if (!dialog) {
      if (this.cancelWanted) {
        // Done with, or given up on: ending the leg later has no INVITE left to wait for.
        if (this.phase === 'inviting') this.phase = 'idle';
        throw err instanceof InviteCancelled ? err : new InviteCancelled('INVITE CANCELled', { cause: err });
      }
      this.phase = 'idle';
      if (sip) throw new InviteRejected(sip.status, sip.reason, sip.fromFarEnd, sip.signals, sip.tooSmall);
      throw err instanceof Error ? err : new Error(String(err));
    }
    this.stopAnswerTimer();
    if (this.gone) {
      await hangUp(dialog, this.services.clock, this.services.logger);
      throw new InviteCancelled('the leg ended as the far end answered; hung up');
    }
    this.established(dialog);
    return dialog;
  }

  /**
   * Early media (RFC 3960): a provisional response's SDP starts the media before the answer, so the far end's
   * audio is heard; the 200's SDP is applied again by startMedia. False when the leg is not inviting or the
   * SDP is unusable (the call then just waits for the answer, as without early media).
   */
  protected startEarlyMedia(sdp: string): boolean {
    if (this.phase !== 'inviting' || this.cancelWanted || !this.legMedia) return false;
    try {
      this.legMedia.answer(sdp);
      return true;
    } catch (err) {
      this.services.logger.warn({ err }, 'early media SDP unusable; waiting for the answer');
      return false;
    }
  }

  /** Starts the media with the far end's SDP answer; throws an SdpError when it is unusable. */
  protected startMedia(dialog: Srf.Dialog): void {
    this.legMedia?.answer(dialog.remote.sdp);
  }

  /** CANCELs the INVITE in flight (now, or as soon as it is sent); a 200 that crosses it is hung up. */
  cancel(): void {
    if (this.phase !== 'inviting' || this.cancelWanted) return;
    this.cancelWanted = true;
    this.stopAnswerTimer();
    if (this.sent) this.sendCancel();
    const graceMs = this.services.cancelGraceMs;
    this.stopGiveUpTimer = this.services.clock.after(graceMs, () =>
      this.giveUp?.({ err: new InviteCancelled(`the far end answered neither the INVITE nor its CANCEL within ${graceMs} ms`) }),
    );
  }

  private sendCancel(): void {
    try {
      this.sent?.cancel(() => undefined);
    } catch (err) {
      this.services.logger.warn({ err }, 'CANCEL could not be sent');
    }
  }

  /**
   * Before the answer: CANCEL while inviting (waiting for the INVITE to complete, bounded), or wait for the
   * media being opened; nothing once the far end hung up.
   */
  protected async release(phase: UacLeg['phase']): Promise<void> {
    this.stopAnswerTimer();
    if (phase === 'opening') {
      await this.opening;
    } else if (phase === 'inviting') {
      this.cancelWanted = true;
      if (this.sent) this.sendCancel();
      await new Promise<void>((resolve) => {
        const stop = this.services.clock.after(this.services.cancelGraceMs, resolve);
        void this.completion.then(() => {
          stop();
          resolve();
        });
      });
    }
  }
}
