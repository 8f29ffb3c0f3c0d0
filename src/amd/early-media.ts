// Call progress on early media (a 183 with SDP, before the answer): the carrier's special information tones
// (an intercept: number not in service, circuits busy), or a recorded announcement with no ringback around it,
// say the call will never be answered. Same framing, tone tracking, speech detector and SIT detector as the AMD
// engine (engine.ts), so both hear SIT alike; ringback, music and silence are listened past (docs/amd.md,
// "Early media").

import { analyzeFrame, newFrameFeatures, SILENCE_DB } from './frame-analysis.js';
import { ANALYSIS_RATE, FRAME_MS, FrameAssembler } from './frame-assembler.js';
import { AnnouncementEvidence } from './announcement-evidence.js';
import { SitDetector } from './sit-detector.js';
import { SpeechDetector } from './speech-detector.js';
import { TONAL_MAX_RESIDUAL, TONE_SNR_DB, ToneTracker, type ToneChange } from './tone-tracker.js';

/** What early media told: an intercept's tones, or an announcement; `atMs` is the audio offset it was sure at. */
export interface EarlyMediaSignal {
  cause: 'sit' | 'announcement';
  atMs: number;
}

/** Listens to 8 kHz early media; pure and synchronous: frames in, one EarlyMediaSignal out once heard. */
export class EarlyMediaListener {
  private readonly framer = new FrameAssembler();
  private readonly features = newFrameFeatures();
  private readonly floor = new SpeechDetector();
  private readonly tones = new ToneTracker();
  private readonly sit = new SitDetector();
  private readonly announcement = new AnnouncementEvidence();
  private readonly changes: ToneChange[] = [];
  private clockMs = 0;
  private signal: EarlyMediaSignal | undefined;

  /** Audio offset heard so far, in ms. */
  get offsetMs(): number {
    return this.clockMs;
  }

  /** Why no announcement will be reported any more (ringback or music heard), for the logs. */
  get announcementStoodDown(): string | undefined {
    return this.announcement.standDown;
  }

  /**
   * Feeds PCM; returns the signal once: SIT when its third tone is confirmed, an announcement when enough
   * voice without ringback was heard (undefined otherwise, and after the first signal).
   */
  pushFrame(pcm: Int16Array): EarlyMediaSignal | undefined {
    if (this.signal) return undefined;
    let heard: EarlyMediaSignal['cause'] | undefined;
    this.framer.push(pcm, false, (frame) => {
      heard ??= this.processFrame(frame);
      if (heard && !this.signal) this.signal = { cause: heard, atMs: this.clockMs };
    });
    return this.signal;
  }

  /** A stretch without audio: the tones in progress end. */
  pushGap(ms: number): void {
    if (this.signal || !Number.isFinite(ms) || ms < 0) return;
    this.framer.pushGap(ms, () => {
      this.processFrame(null);
    });
  }

  private processFrame(frame: Int16Array | null): EarlyMediaSignal['cause'] | undefined {
    const startMs = this.clockMs;
    this.clockMs += FRAME_MS;
    const f = this.features;
    let tonal = false;
    let voiced = false;
    if (frame) {
      analyzeFrame(frame, ANALYSIS_RATE, f);
      tonal = f.tonality < TONAL_MAX_RESIDUAL && f.energyDb > this.floor.noiseFloorDb + TONE_SNR_DB;
      voiced = this.floor.push(f.energyDb, tonal);
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
    const current = this.tones.current;
    if (current) this.announcement.tone(current.frequency, current.endMs - current.startMs);
    if (sit) return 'sit';
    // A tone frame is not voice: it ends a voiced stretch like silence does.
    return this.announcement.frame(voiced, frame ? f.energyDb : SILENCE_DB, FRAME_MS) ? 'announcement' : undefined;
  }
}
