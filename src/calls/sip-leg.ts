// What a leg is whichever side placed it (uac-leg.ts: outdial's INVITE; uas-leg.ts: the far end's): its
// media, its dialog once up, the far end's BYE reported once, and one teardown however it ends. Each side
// says what ending means before the dialog is up (CANCEL, or a 480); once up it is always our BYE.

import type Srf from 'drachtio-srf';
import type { Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import type { LegMedia } from '../media/index.js';
import { hangUpOurs } from './hang-up.js';
import { legGoneCause, type LegGoneCause } from './outcome.js';

/** The phases every leg has: before anything, connected, and ended by either side. */
export type SharedPhase = 'idle' | 'up' | 'gone';

export abstract class SipLeg<P extends string, S extends { clock: Clock; logger: Logger }> {
  protected phase: P | SharedPhase = 'idle';
  protected legMedia: LegMedia | undefined;
  private dialog: Srf.Dialog | undefined;
  private ending: Promise<void> | undefined;
  private goneHandler: ((cause: LegGoneCause) => void) | undefined;
  answeredAt: number | undefined;

  protected constructor(protected readonly services: S) {}

  get media(): LegMedia | undefined {
    return this.legMedia;
  }

  get up(): boolean {
    return this.phase === 'up';
  }

  /** Ended by us or by the far end: nothing more happens on this leg. */
  protected get gone(): boolean {
    return this.phase === 'gone';
  }

  /** The dialog while the leg is connected. */
  protected get connectedDialog(): Srf.Dialog | undefined {
    return this.phase === 'up' ? this.dialog : undefined;
  }

  /** Called once when the far end hangs up a connected leg (its BYE). */
  onGone(handler: (cause: LegGoneCause) => void): void {
    this.goneHandler = handler;
  }

  /** The dialog is up: the leg is connected until our end() or the far end's BYE. */
  protected established(dialog: Srf.Dialog): void {
    this.phase = 'up';
    this.dialog = dialog;
    this.answeredAt = this.services.clock.now();
    dialog.on('destroy', (bye?: Srf.SrfRequest) => {
      this.dialog = undefined;
      this.phase = 'gone';
      this.goneHandler?.(legGoneCause(bye));
    });
  }

  /** Ends the leg whatever its phase (see release() of each side; BYE once up). Idempotent; never rejects. */
  end(): Promise<void> {
    this.ending ??= this.teardown();
    return this.ending;
  }

  /** What ending means in `phase`, before the dialog's BYE (which this class sends when the leg was up). */
  protected abstract release(phase: P | SharedPhase): Promise<void> | void;

  private async teardown(): Promise<void> {
    const phase = this.phase;
    this.phase = 'gone';
    this.legMedia?.close();
    await this.release(phase);
    if (phase === 'up' && this.dialog) {
      const dialog = this.dialog;
      this.dialog = undefined;
      await hangUpOurs(dialog, this.services.clock, this.services.logger);
    }
  }
}
