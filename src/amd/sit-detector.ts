import { MIN_TONE_MS, type ToneSegment } from './tone-tracker.js';

/** Special information tone segments (ITU-T E.180 / Telcordia): three rising tones of 274 or 380 ms. */
const SIT_BANDS: ReadonlyArray<readonly [number, number]> = [
  [880, 1020], // 913.8 / 985.2 Hz
  [1330, 1470], // 1370.6 / 1428.5 Hz
  [1740, 1815], // 1776.7 Hz
];
/** Measured segment lengths after 20 ms framing of 274-380 ms tones. */
const SEGMENT_MIN_MS = 200;
const SEGMENT_MAX_MS = 460;
/** The segments follow each other with no (or nearly no) gap. */
const MAX_GAP_MS = 60;
/** The next segment is known only once it has lasted MIN_TONE_MS (plus a frame of slack). */
const NEXT_SEGMENT_WAIT_MS = MAX_GAP_MS + MIN_TONE_MS + 40;

export type SitVerdict = 'sit' | 'pending' | 'not-sit';

function bandOf(hz: number): number {
  return SIT_BANDS.findIndex(([lo, hi]) => hz >= lo && hz <= hi);
}

/** Recognises the three rising SIT tones from consecutive tone segments. */
export class SitDetector {
  /** Number of SIT segments matched so far. */
  private stage = 0;
  private lastEndMs = -Infinity;
  private running = false;

  onConfirmed(tone: ToneSegment): SitVerdict {
    const band = bandOf(tone.frequency);
    const follows = this.stage > 0 && !this.running && tone.startMs - this.lastEndMs <= MAX_GAP_MS;
    if (follows && band === this.stage) {
      this.stage++;
    } else {
      this.stage = band === 0 ? 1 : 0;
    }
    this.running = this.stage > 0;
    if (this.stage === SIT_BANDS.length) {
      this.stage = 0;
      this.running = false;
      return 'sit';
    }
    return this.stage > 0 ? 'pending' : 'not-sit';
  }

  onEnded(tone: ToneSegment): void {
    if (!this.running) return;
    this.running = false;
    const durationMs = tone.endMs - tone.startMs;
    if (durationMs < SEGMENT_MIN_MS || durationMs > SEGMENT_MAX_MS) this.stage = 0;
    this.lastEndMs = tone.endMs;
  }

  /** Whether a SIT sequence is still possible at this offset (a segment running, or the next one due). */
  pending(nowMs: number): boolean {
    if (this.stage === 0) return false;
    if (this.running) return true;
    if (nowMs - this.lastEndMs > NEXT_SEGMENT_WAIT_MS) {
      this.stage = 0;
      return false;
    }
    return true;
  }
}
