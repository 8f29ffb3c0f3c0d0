/** Frames whose sinusoid-fit residual is below this are tonal (a tone 20 dB above white noise gives ~0.03). */
export const TONAL_MAX_RESIDUAL = 0.08;
/** A tone must stand this far above the noise floor to be trusted. */
export const TONE_SNR_DB = 12;
/** Tones are tracked in this band: beeps (300-2500 Hz), fax CNG/CED and SIT all fall inside. */
export const TONE_MIN_HZ = 280;
export const TONE_MAX_HZ = 2600;
/**
 * A steady tone must last this long to count: beeps are 150 ms or longer, DTMF digits shorter, and a
 * synthetic voice can hold a vowel's pitch and level for 120 ms (a person called a machine in the corpus).
 */
export const MIN_TONE_MS = 140;
/** One odd frame inside a tone (a lost packet, an ANSam phase reversal) does not end it. */
const MAX_MISSES = 1;
/** Generated tones hold their pitch: frames may differ from the running mean by 1.2% (at least 8 Hz). */
const PITCH_TOLERANCE = 0.012;
const PITCH_TOLERANCE_MIN_HZ = 8;
/** ...and their level: a voiced sound with a steady pitch (a hummed nasal) swells and fades. */
const LEVEL_TOLERANCE_DB = 3;
/** All-zero frames inside a tone are lost packets: up to two are stepped over without ending it. */
const DIGITAL_SILENCE_DB = -85;
const MAX_LOST_FRAMES = 2;

export interface ToneSegment {
  startMs: number;
  /** End of the last tonal frame so far. */
  endMs: number;
  frequency: number;
  confirmed: boolean;
}

export type ToneChange =
  | { kind: 'confirmed'; tone: ToneSegment }
  | { kind: 'ended'; tone: ToneSegment };

/**
 * Follows steady tones frame by frame: a run of tonal frames whose frequency stays within ~2% is one
 * tone; a jump in frequency ends it and starts the next (how SIT's three tones are told apart).
 */
export class ToneTracker {
  private run:
    | { startMs: number; endMs: number; sumHz: number; sumDb: number; frames: number; misses: number; lost: number; confirmed: boolean }
    | undefined;

  /** Tonal frames in the current run (0 when no tone is being followed). */
  get runFrames(): number {
    return this.run?.frames ?? 0;
  }

  /** The tone being heard now, if any. */
  get current(): ToneSegment | undefined {
    const r = this.run;
    if (!r || !r.confirmed) return undefined;
    return { startMs: r.startMs, endMs: r.endMs, frequency: r.sumHz / r.frames, confirmed: true };
  }

  /** Whether a candidate tone (confirmed or not) is running. */
  get active(): boolean {
    return this.run !== undefined;
  }

  push(tonal: boolean, hz: number, db: number, frameStartMs: number, frameMs: number, out: ToneChange[]): void {
    const inBand = tonal && hz >= TONE_MIN_HZ && hz <= TONE_MAX_HZ;
    const r = this.run;
    if (r && db <= DIGITAL_SILENCE_DB && r.lost < MAX_LOST_FRAMES) {
      r.lost++;
      return;
    }
    if (r) {
      const mean = r.sumHz / r.frames;
      // the first frame of a tone is often only partly filled by it, hence quieter
      if (r.frames === 1 && db > r.sumDb) r.sumDb = db;
      const steady =
        Math.abs(hz - mean) <= Math.max(PITCH_TOLERANCE_MIN_HZ, mean * PITCH_TOLERANCE) &&
        Math.abs(db - r.sumDb / r.frames) <= LEVEL_TOLERANCE_DB;
      if (inBand && steady) {
        r.sumHz += hz;
        r.sumDb += db;
        r.frames++;
        r.endMs = frameStartMs + frameMs;
        r.misses = 0;
        r.lost = 0;
        if (!r.confirmed && r.endMs - r.startMs >= MIN_TONE_MS) {
          r.confirmed = true;
          out.push({ kind: 'confirmed', tone: this.segment(r) });
        }
        return;
      }
      if (r.misses < MAX_MISSES && r.confirmed) {
        r.misses++;
        return;
      }
      this.close(out);
    }
    if (inBand) {
      this.run = { startMs: frameStartMs, endMs: frameStartMs + frameMs, sumHz: hz, sumDb: db, frames: 1, misses: 0, lost: 0, confirmed: false };
    }
  }

  /** Ends a running tone (end of audio). */
  flush(out: ToneChange[]): void {
    if (this.run) this.close(out);
  }

  private close(out: ToneChange[]): void {
    const r = this.run;
    this.run = undefined;
    if (r?.confirmed) out.push({ kind: 'ended', tone: this.segment(r) });
  }

  private segment(r: NonNullable<ToneTracker['run']>): ToneSegment {
    return { startMs: r.startMs, endMs: r.endMs, frequency: r.sumHz / r.frames, confirmed: r.confirmed };
  }
}
