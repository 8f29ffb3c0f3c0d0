import type { ToneSegment } from './tone-tracker.js';

/** CNG: 1100 Hz ±38 Hz bursts of 0.5 s every 3 s (ITU-T T.30); allow for frame quantisation. */
const CNG_HZ = 1100;
const CNG_TOLERANCE_HZ = 40;
const CNG_MIN_MS = 350;
const CNG_MAX_MS = 800;
/** CED / ANSam: 2100 Hz ±15 Hz for 2.6-4 s; 600 ms of it is already far longer than any beep near 2100 Hz. */
const CED_HZ = 2100;
const CED_TOLERANCE_HZ = 50;
const CED_MIN_MS = 600;

export type FaxVerdict = 'fax' | 'pending' | 'not-fax';

/** Judges a tone heard before any speech: fax calling tone (CNG) or fax answer tone (CED/ANSam)? */
export function judgeFaxTone(tone: ToneSegment, ended: boolean): FaxVerdict {
  const durationMs = tone.endMs - tone.startMs;
  if (Math.abs(tone.frequency - CNG_HZ) <= CNG_TOLERANCE_HZ) {
    if (ended) return durationMs >= CNG_MIN_MS && durationMs <= CNG_MAX_MS ? 'fax' : 'not-fax';
    return durationMs > CNG_MAX_MS ? 'not-fax' : 'pending';
  }
  if (Math.abs(tone.frequency - CED_HZ) <= CED_TOLERANCE_HZ) {
    if (durationMs >= CED_MIN_MS) return 'fax';
    return ended ? 'not-fax' : 'pending';
  }
  return 'not-fax';
}
