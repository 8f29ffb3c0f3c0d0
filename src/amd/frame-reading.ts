import { analyzeFrame, evenCrossingsHz, SILENCE_DB, type FrameFeatures } from './frame-analysis.js';
import { ANALYSIS_RATE } from './frame-assembler.js';
import { TONAL_MAX_RESIDUAL, TONE_MAX_HZ, TONE_MIN_HZ, TONE_SNR_DB } from './tone-tracker.js';

/** Only a tone near full scale can have been clipped (a full-scale sine is -3 dBFS). */
const CLIPPED_TONE_MIN_DB = -10;

/**
 * Reads one 20 ms frame into `f` (null, a lost or suppressed frame, reads as silence) and says whether it
 * holds a tone standing out of the line's noise floor. It stands apart from the engine because it only
 * measures the frame, the same for every detector that follows; the engine decides what the tone means.
 */
export function readFrame(frame: Int16Array | null, f: FrameFeatures, noiseFloorDb: number): boolean {
  if (!frame) {
    f.energyDb = SILENCE_DB;
    f.tonality = 1;
    f.toneHz = 0;
    return false;
  }
  analyzeFrame(frame, ANALYSIS_RATE, f);
  if (f.energyDb > CLIPPED_TONE_MIN_DB) {
    // a beep on a line driven into clipping: no sinusoid fits (or one at the wrong pitch), but its
    // crossings keep time
    const hz = evenCrossingsHz(frame, ANALYSIS_RATE);
    if (hz >= TONE_MIN_HZ && hz <= TONE_MAX_HZ) {
      f.tonality = 0;
      f.toneHz = hz;
    }
  }
  return f.tonality < TONAL_MAX_RESIDUAL && f.energyDb > noiseFloorDb + TONE_SNR_DB;
}
