// Builds a call's AudioSummary from the same 8 kHz frames AMD hears, with AMD's own measurements (frame
// analysis, the adaptive speech detector, the tone tracker) so the picture shows what AMD went by.

import type { AudioSummary } from '../domain/index.js';
import { analyzeFrame, newFrameFeatures, SILENCE_DB } from '../amd/frame-analysis.js';
import { SpeechDetector } from '../amd/speech-detector.js';
import { TONAL_MAX_RESIDUAL, ToneTracker, type ToneChange } from '../amd/tone-tracker.js';

const FRAME_MS = 20;
const FRAME_SAMPLES = 160;
const BUCKET_MS = 100;
/** A tone must stand this far above the noise floor to count (as AMD requires). */
const TONE_SNR_DB = 12;
/** What is kept at most: one minute of levels, 300 speech runs, 60 tones. */
const MAX_MS = 60_000;
const MAX_SPEECH = 300;
const MAX_TONES = 60;
/** Voice runs closer than this are drawn as one. */
const JOIN_GAP_MS = 60;

export class AudioSummarizer {
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private fill = 0;
  private clockMs = 0;
  private gapRemainderMs = 0;
  private readonly features = newFrameFeatures();
  private readonly speechDetector = new SpeechDetector();
  private readonly toneTracker = new ToneTracker();
  private readonly changes: ToneChange[] = [];
  private readonly levels: number[] = [];
  private readonly speech: [number, number][] = [];
  private readonly tones: AudioSummary['tones'] = [];
  private truncated = false;

  /** 8 kHz 16-bit samples, any count. */
  pushFrame(pcm: Int16Array): void {
    let i = 0;
    while (i < pcm.length) {
      const take = Math.min(FRAME_SAMPLES - this.fill, pcm.length - i);
      this.frame.set(pcm.subarray(i, i + take), this.fill);
      this.fill += take;
      i += take;
      if (this.fill === FRAME_SAMPLES) {
        this.fill = 0;
        this.process(this.frame);
      }
    }
  }

  /** Lost or suppressed audio, ms. */
  pushGap(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.gapRemainderMs += ms;
    while (this.gapRemainderMs >= FRAME_MS) {
      this.gapRemainderMs -= FRAME_MS;
      this.process(null);
    }
  }

  summary(): AudioSummary {
    const current = this.toneTracker.current;
    const tones = current && this.tones.length < MAX_TONES ? [...this.tones, { startMs: current.startMs, endMs: current.endMs, frequency: Math.round(current.frequency) }] : [...this.tones];
    return { bucketMs: BUCKET_MS, levelsDb: [...this.levels], speech: this.speech.map(([a, b]) => [a, b]), tones, durationMs: Math.min(this.clockMs, MAX_MS), truncated: this.truncated };
  }

  private process(frame: Int16Array | null): void {
    if (this.clockMs >= MAX_MS) {
      this.truncated = true;
      return;
    }
    const startMs = this.clockMs;
    this.clockMs += FRAME_MS;
    const f = this.features;
    let tonal = false;
    if (frame) {
      analyzeFrame(frame, 8000, f);
      tonal = f.tonality < TONAL_MAX_RESIDUAL && f.energyDb > this.speechDetector.noiseFloorDb + TONE_SNR_DB;
    } else {
      f.energyDb = SILENCE_DB;
      f.toneHz = 0;
    }
    this.changes.length = 0;
    this.toneTracker.push(tonal, f.toneHz, f.energyDb, startMs, FRAME_MS, this.changes);
    for (const c of this.changes) {
      if (c.kind === 'ended' && c.tone.confirmed && this.tones.length < MAX_TONES) {
        this.tones.push({ startMs: c.tone.startMs, endMs: c.tone.endMs, frequency: Math.round(c.tone.frequency) });
      }
    }
    const voiced = frame ? this.speechDetector.push(f.energyDb, tonal && this.toneTracker.runFrames >= 2) : this.speechDetector.pushGap();
    if (voiced) this.addSpeech(startMs, startMs + FRAME_MS);
    const bucket = Math.floor(startMs / BUCKET_MS);
    const level = Math.round(Math.max(SILENCE_DB, f.energyDb));
    if (this.levels.length <= bucket) this.levels.push(level);
    else this.levels[bucket] = Math.max(this.levels[bucket]!, level);
  }

  private addSpeech(start: number, end: number): void {
    const last = this.speech.at(-1);
    if (last && start - last[1] <= JOIN_GAP_MS) last[1] = end;
    else if (this.speech.length < MAX_SPEECH) this.speech.push([start, end]);
    else this.truncated = true;
  }
}
