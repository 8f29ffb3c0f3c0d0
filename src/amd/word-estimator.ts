/** A syllable nucleus must rise this far above the dip before it (and fall this far after it). */
const RISE_DB = 5;
const FALL_DB = 5;
/** English averages about 1.4 syllables per word; 1.5 keeps a seven-word answer under nine (measured on the corpus). */
const SYLLABLES_PER_WORD = 1.5;

/**
 * Estimates spoken words from the energy envelope: counts syllable nuclei (peaks of the smoothed level
 * separated by dips) and converts them to words.
 */
export class WordEstimator {
  private syllableCount = 0;
  private inPeak = false;
  private extreme = 0;
  private smoothed = -Infinity;
  private unvoicedRun = 0;
  /** Syllables counted before voice that may yet turn out to be the room's (-1: none held). */
  private heldFrom = -1;

  get syllables(): number {
    return this.syllableCount;
  }

  get words(): number {
    return Math.round((this.heldFrom >= 0 ? this.heldFrom : this.syllableCount) / SYLLABLES_PER_WORD);
  }

  /**
   * The syllables from here on are held: `words` leaves them out until `keep` counts them (the voice was the
   * greeting's) or `drop` forgets them (it was the room's).
   */
  hold(): void {
    if (this.heldFrom < 0) this.heldFrom = this.syllableCount;
  }

  keep(): void {
    this.heldFrom = -1;
  }

  drop(): void {
    if (this.heldFrom >= 0) this.syllableCount = this.heldFrom;
    this.heldFrom = -1;
  }

  /** `voiced` is the speech detector's verdict for the frame; `thresholdDb` its current threshold. */
  push(energyDb: number, voiced: boolean, thresholdDb: number): void {
    if (!voiced) {
      // a single dropped frame (a lost packet) inside a syllable does not split it
      if (++this.unvoicedRun < 2) return;
      this.inPeak = false;
      this.extreme = thresholdDb;
      this.smoothed = thresholdDb;
      return;
    }
    this.unvoicedRun = 0;
    // two-frame smoothing removes pitch-period ripple without blurring syllables (~150-300 ms)
    this.smoothed = this.smoothed === -Infinity ? energyDb : (this.smoothed + energyDb) / 2;
    const level = this.smoothed;
    if (this.inPeak) {
      if (level > this.extreme) this.extreme = level;
      else if (level < this.extreme - FALL_DB) {
        this.inPeak = false;
        this.extreme = level;
      }
    } else if (level < this.extreme) {
      this.extreme = level;
    } else if (level > this.extreme + RISE_DB) {
      this.syllableCount++;
      this.inPeak = true;
      this.extreme = level;
    }
  }

  /** Forgets the syllables counted so far but not the envelope state of the syllable under way. */
  restart(): void {
    this.heldFrom = -1;
    this.syllableCount = this.inPeak ? 1 : 0;
  }

  reset(): void {
    this.syllableCount = 0;
    this.inPeak = false;
    this.extreme = 0;
    this.smoothed = -Infinity;
    this.unvoicedRun = 0;
    this.heldFrom = -1;
  }
}
