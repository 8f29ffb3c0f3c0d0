// Call progress on early media (a 183 with SDP, before the answer): the carrier's special information tones
// (an intercept: number not in service, circuits busy) say the call will never be answered. Same framing,
// tone tracking and SIT detector as the AMD engine (engine.ts), so both hear SIT alike; ringback, silence
// and announcements without SIT are simply listened past (docs/dialects/audiocodes.md, "Reason codes").

import { analyzeFrame, newFrameFeatures, SILENCE_DB } from './frame-analysis.js';
import { ANALYSIS_RATE, FRAME_MS, FrameAssembler } from './frame-assembler.js';
import { SitDetector } from './sit-detector.js';
import { SpeechDetector } from './speech-detector.js';
import { TONAL_MAX_RESIDUAL, TONE_SNR_DB, ToneTracker, type ToneChange } from './tone-tracker.js';

/** Listens to 8 kHz early media; pure and synchronous: frames in, the offset of a SIT (ms) out once heard. */
export class EarlyMediaListener {
  private readonly framer = new FrameAssembler();
  private readonly features = newFrameFeatures();
  private readonly floor = new SpeechDetector();
  private readonly tones = new ToneTracker();
  private readonly sit = new SitDetector();
  private readonly changes: ToneChange[] = [];
  private clockMs = 0;
  private sitAtMs: number | undefined;

  /** Audio offset heard so far, in ms. */
  get offsetMs(): number {
    return this.clockMs;
  }

  /** Feeds PCM; returns the offset at which the third SIT tone was confirmed, once (undefined otherwise). */
  pushFrame(pcm: Int16Array): number | undefined {
    if (this.sitAtMs !== undefined) return undefined;
    let heard: number | undefined;
    this.framer.push(pcm, false, (frame) => {
      if (heard === undefined && this.processFrame(frame)) heard = this.clockMs;
    });
    if (heard !== undefined) this.sitAtMs = heard;
    return heard;
  }

  /** A stretch without audio: the tones in progress end. */
  pushGap(ms: number): void {
    if (this.sitAtMs !== undefined || !Number.isFinite(ms) || ms < 0) return;
    this.framer.pushGap(ms, () => {
      this.processFrame(null);
    });
  }

  private processFrame(frame: Int16Array | null): boolean {
    const startMs = this.clockMs;
    this.clockMs += FRAME_MS;
    const f = this.features;
    let tonal = false;
    if (frame) {
      analyzeFrame(frame, ANALYSIS_RATE, f);
      tonal = f.tonality < TONAL_MAX_RESIDUAL && f.energyDb > this.floor.noiseFloorDb + TONE_SNR_DB;
      this.floor.push(f.energyDb, tonal);
    } else {
      this.floor.pushGap();
    }
    this.changes.length = 0;
    this.tones.push(tonal, frame ? f.toneHz : 0, frame ? f.energyDb : SILENCE_DB, startMs, FRAME_MS, this.changes);
    let sit = false;
    for (const change of this.changes) {
      if (change.kind === 'ended') this.sit.onEnded(change.tone);
      else if (this.sit.onConfirmed(change.tone) === 'sit') sit = true;
    }
    return sit;
  }
}
