// drachtio-srf's UAC side played by the test: each createUAC is an Invite the test answers, rejects or
// leaves ringing; each answer is a FakeDialog that records BYEs and INFOs and can be hung up by the far end.
import { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { UacSignalling } from '../../src/calls/uac-leg.js';
import { SdpError, type LegMedia, type LegMediaEvents, type MediaBridge, type MediaPath } from '../../src/media/index.js';

export class FakeDialog extends EventEmitter {
  readonly remote = { sdp: 'v=0\r\n' };
  byes = 0;
  readonly infos: string[] = [];

  constructor(private readonly byeError?: Error) {
    super();
  }

  /** As drachtio-srf's: with a callback it gets the error; without one the returned promise rejects with it. */
  destroy(_opts?: unknown, callback?: (err?: unknown) => void): Promise<void> | undefined {
    this.byes++;
    if (callback) {
      setImmediate(() => callback(this.byeError));
      return undefined;
    }
    return this.byeError ? Promise.reject(this.byeError) : Promise.resolve();
  }

  request(opts: { method: string; body?: string }): Promise<unknown> {
    this.infos.push(opts.body ?? '');
    return Promise.resolve({ status: 200 });
  }

  /** The far end sends BYE. */
  hangUpFromFarEnd(): void {
    this.emit('destroy');
  }
}

export class Invite {
  cancels = 0;
  private resolveDialog!: (d: Srf.Dialog) => void;
  private rejectInvite!: (err: unknown) => void;
  readonly result: Promise<Srf.Dialog>;

  constructor(
    readonly uri: string,
    readonly headers: Record<string, string>,
    private readonly progress: { cbRequest?: (...args: unknown[]) => void; cbProvisional?: (res: unknown) => void } | undefined,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolveDialog = resolve;
      this.rejectInvite = reject;
    });
    const sent = {
      cancel: (cb: () => void) => {
        this.cancels++;
        cb();
      },
    };
    setImmediate(() => this.progress?.cbRequest?.(null, sent));
  }

  /** A 180/183; `body` is its SDP (early media). */
  provisional(status: number, body?: string): void {
    this.progress?.cbProvisional?.(body === undefined ? { status } : { status, body });
  }

  /** A 200 OK (drachtio-srf resolves createUAC with the dialog). */
  answer(byeError?: Error): FakeDialog {
    const dialog = new FakeDialog(byeError);
    this.resolveDialog(dialog as unknown as Srf.Dialog);
    return dialog;
  }

  /** A final non-2xx (drachtio-srf rejects with a SipError). */
  reject(status: number, reason = ''): void {
    this.rejectInvite(new Srf.SipError(status, reason || undefined));
  }
}

export class FakeSrf {
  readonly invites: Invite[] = [];
  private readonly waiters: ((i: Invite) => void)[] = [];

  createUAC(uri: unknown, opts?: unknown, progress?: unknown): Promise<Srf.Dialog> {
    const invite = new Invite(uri as string, (opts as { headers: Record<string, string> }).headers, progress as ConstructorParameters<typeof Invite>[2]);
    this.invites.push(invite);
    this.waiters.splice(0).forEach((w) => w(invite));
    return invite.result;
  }

  /** As the call's services take it. */
  get signalling(): UacSignalling {
    return this as unknown as UacSignalling;
  }

  /** The nth INVITE (0-based), once it is sent. */
  async invite(n: number): Promise<Invite> {
    while (!this.invites[n]) await new Promise<Invite>((r) => this.waiters.push(r));
    return this.invites[n];
  }
}

class FakeLegMedia extends EventEmitter<LegMediaEvents> implements LegMedia {
  readonly offer = 'v=0\r\n';
  readonly codec = 'PCMU';
  closed = false;
  answered = false;
  /** SDP answers taken: a 183's (early media) and the 200's. */
  answers = 0;
  readonly stats = { packetsReceived: 0, packetsLost: 0, lastArrivalAt: undefined };

  constructor(private readonly path: FakeMediaPath) {
    super();
  }

  answer(): void {
    this.answered = true;
    this.answers++;
  }

  /** Takes any offer that looks like SDP, as the call sees it; throws for anything else. */
  acceptOffer(sdp: string): string | Promise<string> {
    if (!/^v=0/.test(sdp)) throw new SdpError('SDP offer is not a session description (it must start with v=0)');
    this.answered = true;
    return this.path.mediaServer ? this.path.mediaServer(sdp) : this.offer;
  }

  close(): void {
    this.closed = true;
  }
}

/** Media that only records what the call asked of it. */
export class FakeMediaPath implements MediaPath {
  readonly legs: FakeLegMedia[] = [];
  bridges = 0;
  /** When set, offers are answered by this, as a media server answers (asynchronously, maybe failing). */
  mediaServer: ((offer: string) => Promise<string>) | undefined;

  async openLeg(): Promise<LegMedia> {
    const leg = new FakeLegMedia(this);
    this.legs.push(leg);
    return leg;
  }

  bridge(): MediaBridge {
    this.bridges++;
    return { stop: () => undefined };
  }
}
