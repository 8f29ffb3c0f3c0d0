// A leg the far end placed to outdial, outdial being the user agent server (RFC 3261 §13.3): media opened
// for the INVITE's SDP offer, the 200 OK carrying outdial's answer, the far end's CANCEL or BYE, in-dialog
// INFO, and teardown in every race.

import Srf from 'drachtio-srf';
import type { Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import { SdpError, type LegMedia, type MediaPath } from '../media/index.js';
import { hangUp } from './hang-up.js';
import { SipLeg } from './sip-leg.js';

/** What a UAS leg needs of drachtio-srf: answering an INVITE. */
export type UasSignalling = Pick<Srf, 'createUAS'>;

export interface UasLegServices {
  srf: UasSignalling;
  media: MediaPath;
  clock: Clock;
  logger: Logger;
}

/** The INVITE was answered with this final non-2xx status (or the far end CANCELled it first). */
export class InviteNotAnswered extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class UasLeg extends SipLeg<'answering', UasLegServices> {
  private finalSent = false;
  private cancelled = false;
  private cancelHandler: (() => void) | undefined;

  constructor(
    services: UasLegServices,
    private readonly req: Srf.SrfRequest,
    private readonly res: Srf.SrfResponse,
  ) {
    super(services);
    // A CANCEL before the 200: the edge has answered the INVITE 487 already.
    req.on('cancel', () => {
      this.cancelled = true;
      this.finalSent = true;
      if (this.phase === 'idle' || this.phase === 'answering') this.cancelHandler?.();
    });
  }

  /** Called once when the far end CANCELs the INVITE before it is answered. */
  onCancel(handler: () => void): void {
    this.cancelHandler = handler;
  }

  /**
   * Opens media for the offer and answers 200 with outdial's SDP and `headers`; resolves with the dialog.
   * Throws InviteNotAnswered after answering 503 (no media), 488 (unusable offer), or on a CANCEL.
   */
  async answer(headers: Record<string, string>): Promise<Srf.Dialog> {
    if (this.phase !== 'idle') throw new Error('the leg is already answered or ended');
    this.phase = 'answering';
    let media: LegMedia;
    try {
      media = await this.services.media.openLeg(this.services.logger);
    } catch (err) {
      this.reject(503, 'Service Unavailable', headers);
      throw new InviteNotAnswered(503, `no media for the call: ${(err as Error).message}`);
    }
    this.legMedia = media;
    if (this.phase !== 'answering' || this.cancelled) {
      media.close();
      throw new InviteNotAnswered(487, 'the INVITE was CANCELled or the leg ended before it was answered');
    }
    let sdp: string;
    try {
      sdp = await media.acceptOffer(this.req.body);
    } catch (err) {
      const detail = (err as Error).message;
      if (!(err instanceof SdpError)) {
        // The offer was fine; the media server could not take it.
        this.reject(503, 'Service Unavailable', headers);
        throw new InviteNotAnswered(503, `no media for the call: ${detail}`);
      }
      this.reject(488, 'Not Acceptable Here', { ...headers, Warning: `399 outdial "${detail.replace(/["\\\r\n]/g, '')}"` });
      throw new InviteNotAnswered(488, `unusable SDP offer: ${detail}`);
    }
    // A media server answers asynchronously: the dialer may have CANCELled meanwhile.
    if (this.phase !== 'answering' || this.cancelled) {
      media.close();
      throw new InviteNotAnswered(487, 'the INVITE was CANCELled or the leg ended before it was answered');
    }
    let dialog: Srf.Dialog;
    try {
      this.finalSent = true;
      dialog = await this.services.srf.createUAS(this.req, this.res, { localSdp: sdp, headers });
    } catch (err) {
      throw new InviteNotAnswered(err instanceof Srf.SipError ? err.status : 500, `the 200 OK could not be sent: ${(err as Error).message}`);
    }
    if (this.phase !== 'answering') {
      await hangUp(dialog, this.services.clock, this.services.logger);
      throw new InviteNotAnswered(487, 'the leg ended as it was answered; hung up');
    }
    this.established(dialog);
    // The far end's own INFO (or a re-INVITE's absence of news) needs an answer, not a timeout.
    dialog.on('info', (_req: Srf.SrfRequest, res: Srf.SrfResponse) => res.send(200));
    return dialog;
  }

  /** Answers the INVITE with a final non-2xx response, once; nothing after a 200 or a CANCEL. */
  reject(status: number, reason: string, headers: Record<string, string> = {}): void {
    if (this.finalSent) return;
    this.finalSent = true;
    try {
      this.res.send(status, reason, { headers });
    } catch (err) {
      this.services.logger.debug({ err, status }, 'final response could not be sent');
    }
  }

  /** An in-dialog INFO with a JSON body; a failure is logged, never thrown. */
  info(body: string): void {
    const dialog = this.connectedDialog;
    if (!dialog) return;
    dialog
      .request({ method: 'INFO', headers: { 'Content-Type': 'application/json' }, body })
      .catch((err: unknown) => this.services.logger.warn({ err }, 'INFO to the caller failed'));
  }

  /** Before the answer, ending is a 480 to the INVITE (nothing once CANCELled or answered). */
  protected release(phase: UasLeg['phase']): void {
    if (phase === 'idle' || phase === 'answering') this.reject(480, 'Temporarily Unavailable');
  }
}
