import type { DtmfEvent } from './telephone-event.js';

export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

/** Why a stretch of the audio timeline has no samples. */
export type GapCause = 'loss' | 'silence' | 'watchdog';

/** Where a receive stream delivers its timeline: 20 ms frames and declared gaps, in audio order. */
export interface ReceiveSink {
  frame(pcm: Int16Array): void;
  gap(ms: number, cause: GapCause): void;
  dtmf(event: DtmfEvent): void;
}

/**
 * The audio timeline a receive stream delivers: decoded samples cut into 20 ms frames, and stretches without
 * audio declared as gaps of whole frames, so the timeline advances by exactly the audio's duration.
 */
export class AudioTimeline {
  readonly #sink: ReceiveSink;
  readonly #counters: { framesEmitted: number; gapMs: number };
  /** Samples on the timeline so far, including the partial frame. */
  #emitted = 0;
  #frame = new Int16Array(FRAME_SAMPLES);
  #fill = 0;

  constructor(sink: ReceiveSink, counters: { framesEmitted: number; gapMs: number }) {
    this.#sink = sink;
    this.#counters = counters;
  }

  /** Samples on the timeline so far, including the partial frame. */
  get emitted(): number {
    return this.#emitted;
  }

  samples(table: Readonly<Int16Array>, buf: Uint8Array, offset: number, length: number): void {
    let frame = this.#frame;
    let fill = this.#fill;
    for (let i = 0; i < length; i++) {
      frame[fill++] = table[buf[offset + i] as number] as number;
      if (fill === FRAME_SAMPLES) {
        this.#emitFrame(frame);
        frame = this.#frame;
        fill = 0;
      }
    }
    this.#fill = fill;
    this.#emitted += length;
  }

  #emitFrame(frame: Int16Array): void {
    // A fresh buffer per frame: listeners may keep the one they were given.
    this.#frame = new Int16Array(FRAME_SAMPLES);
    this.#fill = 0;
    this.#counters.framesEmitted++;
    this.#sink.frame(frame);
  }

  /** Advances the timeline by `samples` with no audio: finish the partial frame with zeros, declare whole frames as a gap. */
  silence(samples: number, cause: GapCause): void {
    this.#emitted += samples;
    if (this.#fill > 0) {
      const pad = Math.min(samples, FRAME_SAMPLES - this.#fill);
      this.#fill += pad; // the frame buffer is zero-filled where no sample was written
      samples -= pad;
      if (this.#fill < FRAME_SAMPLES) return;
      this.#emitFrame(this.#frame);
    }
    const frames = Math.floor(samples / FRAME_SAMPLES);
    if (frames > 0) {
      const ms = frames * FRAME_MS;
      this.#counters.gapMs += ms;
      this.#sink.gap(ms, cause);
    }
    this.#fill = samples - frames * FRAME_SAMPLES;
  }
}
