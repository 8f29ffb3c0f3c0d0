/**
 * Running RMS of a call's decoded audio, for the call record (a dead line shows as silence), and how much of
 * its timeline was declared without audio (lost packets, silence the sender did not send, a silent socket).
 */
export class AudioLevel {
  private sumSquares = 0;
  private samples = 0;
  private gapTotalMs = 0;

  /** A stretch of the timeline without audio. */
  gap(ms: number): void {
    this.gapTotalMs += ms;
  }

  /** Milliseconds of timeline declared without audio. */
  get gapMs(): number {
    return Math.round(this.gapTotalMs);
  }

  add(pcm: Int16Array): void {
    let s = 0;
    for (let i = 0; i < pcm.length; i++) {
      const v = pcm[i] as number;
      s += v * v;
    }
    this.sumSquares += s;
    this.samples += pcm.length;
  }

  /** Milliseconds of audio seen (8 kHz). */
  get ms(): number {
    return Math.round(this.samples / 8);
  }

  get dbfs(): number {
    if (this.samples === 0 || this.sumSquares === 0) return -96;
    const rms = Math.sqrt(this.sumSquares / this.samples);
    return Math.max(-96, Math.round(20 * Math.log10(rms / 32768) * 10) / 10);
  }
}
