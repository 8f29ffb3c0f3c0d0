import type { CalleeMedia } from '../domain/index.js';
import type { LegMedia } from '../media/index.js';
import type { AudioLevel } from './audio-level.js';

/** What came from the far party, for the call record: codec, RTP counters, audio seen and its level. */
export function mediaSummary(media: LegMedia, level: AudioLevel): CalleeMedia {
  const stats = media.stats;
  return {
    ...(media.codec !== undefined && { codec: media.codec }),
    packetsReceived: stats.packetsReceived,
    packetsLost: stats.packetsLost,
    audioMs: level.ms,
    gapMs: level.gapMs,
    rmsDbfs: level.dbfs,
  };
}
