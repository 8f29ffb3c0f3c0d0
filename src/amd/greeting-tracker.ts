/** Voiced frames (of 20 ms) needed, allowing one dropout, before a sound counts as speech onset. */
const ONSET_FRAMES = 3;
/** A pause this long separates two utterances of a greeting. */
const UTTERANCE_PAUSE_MS = 500;
/**
 * Speech this much louder than everything heard before it is the person on the phone; what came before was
 * the room (a TV, people talking 14-26 dB under them in the corpus) and is not the start of the greeting
 * (docs/amd.md, "Talk in the room").
 */
const ROOM_TALK_MARGIN_DB = 8;
/**
 * Room talk runs on before the person speaks: this much voice must precede louder speech for it to be the
 * room's. Less is the soft start of one talker's first word, or music with a few voiced frames (hold music
 * belongs to a greeting).
 */
const ROOM_TALK_MIN_MS = 200;
/**
 * After RESUME_AFTER_MS of silence, voice more than RESUME_RANGE_DB under the greeting's loudest is the room,
 * not the greeting going on: a person who said "hello?" and waits may have a TV on behind them, and that
 * talk must neither keep the line from falling quiet nor count as words (docs/amd.md, "Talk in the room").
 */
const RESUME_AFTER_MS = 100;
const RESUME_RANGE_DB = 11;
/** Frames remembered to find where that louder speech began. */
const RECENT_FRAMES = 25;
/** Voice younger than this (40 ms) may be the rise of new speech, not yet the room's level. */
const RISE_FRAMES = 2;

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
  /** Loudest voice heard, RISE_FRAMES late (the room's talk until the person speaks). */
  private peakDb = -Infinity;
  /** Levels of the last frames (-Infinity: not voiced), newest last, to find where louder speech began. */
  private readonly recentDb: number[] = [];
  /** Loudest voice of the greeting (since its onset). */
  private greetingPeakDb = -Infinity;
  private restartedNow = false;
  private lastSoundEnd = -Infinity;
  private heardNow = false;
  /** Within the run of voice that started the greeting again (its later, louder frames start nothing new). */
  private rising = false;

  /** Whether the last frame started the greeting again (what came before was the room). */
  get restarted(): boolean {
    return this.restartedNow;
  }

  /** Whether the last frame was heard as the greeting's voice (not silence, not the room). */
  get heard(): boolean {
    return this.heardNow;
  }

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

  /**
   * One frame: `isVoiced` is the speech detector's verdict, `energyDb` the frame's level. Afterwards `heard`
   * says whether it counted as the greeting's voice and `restarted` whether speech far louder than all before
   * began here, so the earlier "speech" was the room and the greeting starts with this run of voice.
   */
  push(isVoiced: boolean, frameStartMs: number, frameMs: number, energyDb = 0, steadyTone = false): void {
    const frameEnd = frameStartMs + frameMs;
    // a steady vowel the tone tracker held back from speech still keeps the greeting's sound going
    if (steadyTone && this.onset !== undefined && energyDb >= this.greetingPeakDb - RESUME_RANGE_DB) this.lastSoundEnd = frameEnd;
    this.restartedNow = false;
    this.heardNow = isVoiced;
    this.recentDb.push(isVoiced ? energyDb : -Infinity);
    if (this.recentDb.length > RECENT_FRAMES) this.recentDb.shift();
    // the room's level: voice heard at least RISE_FRAMES ago, so the rise of new speech is not part of it
    const aged = this.recentDb[this.recentDb.length - 1 - RISE_FRAMES];
    if (aged !== undefined && aged > this.peakDb) this.peakDb = aged;
    if (this.onset === undefined) {
      if (isVoiced) {
        if (this.pendingVoiced === 0) this.pendingStart = frameStartMs;
        this.pendingVoiced++;
        this.pendingMisses = 0;
        if (energyDb > this.greetingPeakDb) this.greetingPeakDb = energyDb;
        if (this.pendingVoiced >= ONSET_FRAMES) {
          this.onset = this.pendingStart;
          this.utteranceStart = this.pendingStart;
          this.lastVoiceEnd = frameEnd;
          this.voiced = this.pendingVoiced * frameMs;
        }
      } else if (this.pendingVoiced > 0 && ++this.pendingMisses > 1) {
        this.pendingVoiced = 0;
        this.pendingMisses = 0;
        this.greetingPeakDb = -Infinity;
      }
      return;
    }
    if (!isVoiced) {
      this.rising = false;
      return;
    }
    if (!this.rising && this.voiced >= ROOM_TALK_MIN_MS && energyDb >= this.peakDb + ROOM_TALK_MARGIN_DB) {
      // the louder speech began where the voice first rose above everything the room did
      let back = 0;
      while (back + 1 < this.recentDb.length && this.recentDb[this.recentDb.length - 2 - back]! > this.peakDb) back++;
      const start = frameStartMs - back * frameMs;
      this.peakDb = energyDb;
      this.onset = start;
      this.utteranceStart = start;
      this.pauseBefore = 0;
      this.voiced = frameEnd - start;
      this.lastVoiceEnd = frameEnd;
      this.rising = true;
      this.greetingPeakDb = energyDb;
      this.restartedNow = true;
      return;
    }
    if (frameStartMs - Math.max(this.lastVoiceEnd, this.lastSoundEnd) >= RESUME_AFTER_MS && energyDb < this.greetingPeakDb - RESUME_RANGE_DB) {
      this.heardNow = false;
      return;
    }
    if (energyDb > this.greetingPeakDb) this.greetingPeakDb = energyDb;
    if (frameStartMs - this.lastVoiceEnd >= UTTERANCE_PAUSE_MS) {
      this.pauseBefore = frameStartMs - this.lastVoiceEnd;
      this.utteranceStart = frameStartMs;
    }
    this.lastVoiceEnd = frameEnd;
    this.voiced += frameMs;
  }
}
