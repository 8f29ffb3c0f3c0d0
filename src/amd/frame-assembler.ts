/** The engine works on 20 ms frames at 8 kHz; 16 kHz input is decimated by two first. */
export const FRAME_MS = 20;
export const FRAME_SAMPLES = 160;
export const ANALYSIS_RATE = 8000;

/**
 * Cuts pushed PCM (any length, 8 or 16 kHz) and declared gaps into whole 20 ms frames at 8 kHz. The frame
 * handed on is one reused buffer, or the pushed packet itself when it is one whole frame: it is valid only
 * during the call. (Copying every packet into the buffer took half the engine's time.)
 */
export class FrameAssembler {
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private frameFill = 0;
  private carry: number | undefined;
  private gapRemainderMs = 0;

  push(pcm: Int16Array, decimate: boolean, onFrame: (frame: Int16Array) => void): void {
    if (decimate) this.pushDecimated(pcm, onFrame);
    else this.pushSamples(pcm, onFrame);
  }

  /** A gap of `ms` without audio: one call per whole frame it covers; the rest carries to the next gap. */
  pushGap(ms: number, onLostFrame: () => void): void {
    this.gapRemainderMs += ms;
    while (this.gapRemainderMs >= FRAME_MS) {
      this.gapRemainderMs -= FRAME_MS;
      onLostFrame();
    }
  }

  private pushSamples(pcm: Int16Array, onFrame: (frame: Int16Array) => void): void {
    // The usual case, one whole 20 ms packet on a frame boundary, is handed on as it is: no copy.
    if (this.frameFill === 0 && pcm.length === FRAME_SAMPLES) return onFrame(pcm);
    let i = 0;
    while (i < pcm.length) {
      const take = Math.min(FRAME_SAMPLES - this.frameFill, pcm.length - i);
      this.frame.set(pcm.subarray(i, i + take), this.frameFill);
      this.frameFill += take;
      i += take;
      if (this.frameFill === FRAME_SAMPLES) {
        this.frameFill = 0;
        onFrame(this.frame);
      }
    }
  }

  /** Pair averaging is a crude low-pass, enough for speech energy and tones below 3 kHz. */
  private pushDecimated(pcm: Int16Array, onFrame: (frame: Int16Array) => void): void {
    for (let i = 0; i < pcm.length; i++) {
      const s = pcm[i]!;
      if (this.carry === undefined) {
        this.carry = s;
        continue;
      }
      this.frame[this.frameFill++] = (this.carry + s) >> 1;
      this.carry = undefined;
      if (this.frameFill === FRAME_SAMPLES) {
        this.frameFill = 0;
        onFrame(this.frame);
      }
    }
  }
}
