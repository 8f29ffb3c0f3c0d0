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
/**
 * Voice resuming after RESUME_AFTER_MS of silence within RESUME_RANGE_DB of the greeting's loudest may still be
 * the room's loudest syllables (a TV's talk peaks 8-11 dB under the person in the corpus, and 6-8 dB under
 * over the stress part's louder rooms). It is held pending for up to CONFIRM_WINDOW_MS: it is the greeting
 * going on once CONFIRM_FRAMES of it are voiced or one frame comes within CONFIRM_RANGE_DB of the loudest;
 * otherwise it was the room's short burst (docs/amd.md, "Talk in the room"). The speech-end decision waits
 * while it is pending. A greeting resuming after a breath comes back within 5 dB of its loudest (or runs on
 * for CONFIRM_RUN_FRAMES); at 8 dB one syllable of a loud room confirmed itself as the greeting, and over a
 * room that never stops such syllables added up to a "long greeting".
 */
const CONFIRM_WINDOW_MS = 300;
const CONFIRM_FRAMES = 6;
const CONFIRM_RANGE_DB = 5;
/** ...or this many voiced frames at any level: a room's loud syllables are few and short. */
const CONFIRM_RUN_FRAMES = 8;
/** Only voice after this much silence is held pending (shorter pauses are a greeting's own). */
const PENDING_AFTER_MS = 300;
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
  /** Start of the resumption held pending (-1: none), its voiced frames, and the silence before it. */
  private pendingResumeStart = -1;
  private pendingResumeVoiced = 0;
  private pendingResumePause = 0;
  private pendingResumeRun = 0;
  private confirmedNow = false;

  /** Whether the last frame started the greeting again (what came before was the room). */
  get restarted(): boolean {
    return this.restartedNow;
  }

  /** Whether voice that resumed after a pause is held pending: the greeting going on, or the room. */
  get resumePending(): boolean {
    return this.pendingResumeStart >= 0;
  }

  /** Whether the last frame confirmed a pending resumption as the greeting's voice. */
  get resumeConfirmed(): boolean {
    return this.confirmedNow;
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
    this.confirmedNow = false;
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
    if (this.pendingResumeStart >= 0 && frameStartMs - this.pendingResumeStart >= CONFIRM_WINDOW_MS) this.pendingResumeStart = -1;
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
    const quietFor = frameStartMs - Math.max(this.lastVoiceEnd, this.lastSoundEnd);
    const inRange = energyDb >= this.greetingPeakDb - RESUME_RANGE_DB;
    if (this.pendingResumeStart < 0 && inRange && quietFor >= PENDING_AFTER_MS && energyDb < this.greetingPeakDb - CONFIRM_RANGE_DB) {
      this.pendingResumeStart = frameStartMs;
      this.pendingResumeVoiced = 0;
      this.pendingResumeRun = 0;
      this.pendingResumePause = frameStartMs - this.lastVoiceEnd;
    }
    if (this.pendingResumeStart >= 0) {
      this.pendingResumeRun++;
      if (inRange) this.pendingResumeVoiced++;
      const confirmed = this.pendingResumeVoiced >= CONFIRM_FRAMES || this.pendingResumeRun >= CONFIRM_RUN_FRAMES || energyDb >= this.greetingPeakDb - CONFIRM_RANGE_DB;
      if (!confirmed) {
        this.heardNow = false;
        return;
      }
      // the greeting goes on: it resumed where the pending voice began
      const start = this.pendingResumeStart;
      this.pendingResumeStart = -1;
      this.confirmedNow = true;
      if (this.pendingResumePause >= UTTERANCE_PAUSE_MS) {
        this.pauseBefore = this.pendingResumePause;
        this.utteranceStart = start;
      }
      this.voiced += (this.pendingResumeRun - 1) * frameMs;
    }
    if (!this.confirmedNow && quietFor >= RESUME_AFTER_MS && !inRange) {
      this.heardNow = false;
      return;
    }
    if (energyDb > this.greetingPeakDb) this.greetingPeakDb = energyDb;
    if (!this.confirmedNow && frameStartMs - this.lastVoiceEnd >= UTTERANCE_PAUSE_MS) {
      this.pauseBefore = frameStartMs - this.lastVoiceEnd;
      this.utteranceStart = frameStartMs;
    }
    this.lastVoiceEnd = frameEnd;
    this.voiced += frameMs;
  }
}
