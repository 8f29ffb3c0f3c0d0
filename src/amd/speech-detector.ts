import { SILENCE_DB } from './frame-analysis.js';

/** Frames per sub-window of the minimum-statistics noise floor (200 ms of 20 ms frames). */
const SUBWINDOW_FRAMES = 10;
/** Sub-windows remembered: the floor is the quietest frame of the last 3 s. */
const SUBWINDOWS = 15;
/** Speech must stand this far above the noise floor (frame-to-frame spread of noise is ~±2 dB). */
const SNR_DB = 10;
/** Below this a frame is silence however quiet the line (G.711 idle noise sits far lower). */
const ABSOLUTE_MIN_DB = -55;
/** A line this noisy cannot carry speech we could separate; the floor does not follow it further. */
const FLOOR_CAP_DB = -30;
const FLOOR_MIN_DB = -75;
/** Speech this far below the loudest recent speech on the line is echo or breath, not talk. */
const LINE_LEVEL_RANGE_DB = 12;
/** Line level decays 1.5 dB per second so a talker who turns quieter is still heard. */
const LINE_LEVEL_DECAY_DB = 0.03;
/** Frames below this are digital silence or lost packets; they say nothing about the line's noise. */
const DIGITAL_SILENCE_DB = -85;

/**
 * Speech vs silence/line noise, adaptive to the noise floor (minimum statistics) and to the line's level.
 * `push` returns whether the frame carries voice energy.
 */
export class SpeechDetector {
  private readonly subMins: number[] = [];
  private curMin = Infinity;
  private curCount = 0;
  private floor = FLOOR_MIN_DB;
  private lineLevel = -Infinity;
  private lastThreshold = ABSOLUTE_MIN_DB;

  /** Current noise floor estimate in dBFS. */
  get noiseFloorDb(): number {
    return this.floor;
  }

  /** Current speech threshold in dBFS. */
  get thresholdDb(): number {
    return this.lastThreshold;
  }

  /** `excluded` frames (steady tones) feed the floor tracker but are never speech. */
  push(energyDb: number, excluded = false): boolean {
    if (energyDb > DIGITAL_SILENCE_DB) this.trackFloor(energyDb);
    const threshold = Math.max(this.floor + SNR_DB, ABSOLUTE_MIN_DB, this.lineLevel - LINE_LEVEL_RANGE_DB);
    this.lastThreshold = threshold;
    this.lineLevel -= LINE_LEVEL_DECAY_DB;
    const voiced = !excluded && energyDb > threshold;
    if (voiced && energyDb > this.lineLevel) this.lineLevel = energyDb;
    return voiced;
  }

  /** A lost packet or declared gap: no energy, no update of the floor. */
  pushGap(): boolean {
    this.lineLevel -= LINE_LEVEL_DECAY_DB;
    return false;
  }

  private trackFloor(db: number): void {
    if (db < this.curMin) this.curMin = db;
    this.curCount++;
    if (this.curCount >= SUBWINDOW_FRAMES) {
      this.subMins.push(this.curMin);
      if (this.subMins.length > SUBWINDOWS) this.subMins.shift();
      this.curMin = Infinity;
      this.curCount = 0;
    }
    let min = this.curMin;
    for (const m of this.subMins) if (m < min) min = m;
    this.floor = Math.min(FLOOR_CAP_DB, Math.max(FLOOR_MIN_DB, min));
  }
}

export { SILENCE_DB };
