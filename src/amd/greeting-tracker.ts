/** Voiced frames (of 20 ms) needed, allowing one dropout, before a sound counts as speech onset. */
const ONSET_FRAMES = 3;
/** A pause this long separates two utterances of a greeting. */
const UTTERANCE_PAUSE_MS = 500;

/**
 * Greeting length and continuity: when speech began, how much voice was heard, how long the current
 * utterance has run without a real pause, and how long the line has been quiet since the last voice.
 */
export class GreetingTracker {
  private onset: number | undefined;
  private pendingStart = 0;
  private pendingVoiced = 0;
  private pendingMisses = 0;
  private lastVoiceEnd = 0;
  private voiced = 0;
  private utteranceStart = 0;
  private pauseBefore = 0;

  /** Audio offset where the first speech began, if any. */
  get onsetMs(): number | undefined {
    return this.onset;
  }

  get started(): boolean {
    return this.onset !== undefined;
  }

  /** Audio offset where the last voiced frame ended. */
  get lastVoiceEndMs(): number {
    return this.lastVoiceEnd;
  }

  /** Total voiced time since onset. */
  get voicedMs(): number {
    return this.voiced;
  }

  /** Audio offset where the current utterance began. */
  get utteranceStartMs(): number {
    return this.onset === undefined ? Infinity : this.utteranceStart;
  }

  /** Silence before the current utterance (0 for the first). */
  get pauseBeforeUtteranceMs(): number {
    return this.pauseBefore;
  }

  /** Length of the current utterance (from its first voice to its latest voice). */
  get utteranceMs(): number {
    return this.onset === undefined ? 0 : this.lastVoiceEnd - this.utteranceStart;
  }

  silenceMs(nowMs: number): number {
    return this.onset === undefined ? nowMs : nowMs - this.lastVoiceEnd;
  }

  push(isVoiced: boolean, frameStartMs: number, frameMs: number): void {
    const frameEnd = frameStartMs + frameMs;
    if (this.onset === undefined) {
      if (isVoiced) {
        if (this.pendingVoiced === 0) this.pendingStart = frameStartMs;
        this.pendingVoiced++;
        this.pendingMisses = 0;
        if (this.pendingVoiced >= ONSET_FRAMES) {
          this.onset = this.pendingStart;
          this.utteranceStart = this.pendingStart;
          this.lastVoiceEnd = frameEnd;
          this.voiced = this.pendingVoiced * frameMs;
        }
      } else if (this.pendingVoiced > 0 && ++this.pendingMisses > 1) {
        this.pendingVoiced = 0;
        this.pendingMisses = 0;
      }
      return;
    }
    if (!isVoiced) return;
    if (frameStartMs - this.lastVoiceEnd >= UTTERANCE_PAUSE_MS) {
      this.pauseBefore = frameStartMs - this.lastVoiceEnd;
      this.utteranceStart = frameStartMs;
    }
    this.lastVoiceEnd = frameEnd;
    this.voiced += frameMs;
  }
}
