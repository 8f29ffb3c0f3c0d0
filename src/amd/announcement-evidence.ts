// Call progress on early media, part two: a recorded announcement with no special information tones ("the
// number you have dialled is not in service…") played in a 183's early media. The evidence is deliberately
// conservative (docs/amd.md, "Early media"): failing a call that would have been answered is far worse than
// waiting for the answer timeout, so anything that could be a ringback — a tone cadence, music, a steady
// burst — makes this listener stand down for the rest of the call.

/**
 * Separate voiced stretches (syllable nuclei standing out of the line: the speech detector hears a recorded
 * voice at four or five a second) an announcement must reach: two sentences or so, about three seconds of talk,
 * more than "please hold while we connect your call" (about nine). Talk is chopped up; tones and music are not.
 */
export const ANNOUNCEMENT_MIN_BURSTS = 14;
/** ...and voiced time in them, so a string of clicks or crackle is not taken for talk. */
export const ANNOUNCEMENT_SPEECH_MS = 1500;
/**
 * A voiced stretch at least this long whose level holds within STEADY_DB_SPREAD is a ringback burst (a dual tone
 * the single-sinusoid tone test does not see: US 440+480 Hz 2 s on, UK 400+450 Hz 0.4 s twice, EU 425 Hz 1 s).
 * People's and recorded voices swell and fade within a syllable.
 */
export const STEADY_BURST_MS = 300;
export const STEADY_DB_SPREAD = 1.5;
/** Voice with no dip this long is not an announcement read out: it is music or tones under the voice. */
export const CONTINUOUS_MS = 2500;
/** A single-frequency tone this long in the ringback band (350-500 Hz) is ringback (EU 425 Hz, UK 400 Hz). */
export const RINGBACK_TONE_MS = 300;
const RINGBACK_MIN_HZ = 350;
const RINGBACK_MAX_HZ = 500;
/** Voiced stretches shorter than this are clicks or noise, not words. */
const MIN_BURST_MS = 60;
/**
 * A pause that drops to the line's quiet (within QUIET_ABOVE_MIN_DB of the quietest frame so far, and below
 * QUIET_MAX_DB whatever the line) for PAUSE_MS between words: a voice read out on its own. A voice over music on
 * hold never gets there, since the music fills every pause.
 */
const PAUSE_MS = 100;
const QUIET_ABOVE_MIN_DB = 10;
const QUIET_MAX_DB = -40;
/** Frames this quiet are digital silence or lost packets: quiet, but no measure of the line. */
const DIGITAL_SILENCE_DB = -85;

/** Why the listener no longer looks for an announcement, if it stood down. */
export type NotAnnouncement = 'ringback-tone' | 'steady-burst' | 'continuous';

/**
 * Frames in (voiced or not, with their level; confirmed tones), `true` out once the early media has carried
 * enough chopped-up voice with no sign of ringback or music. Pure: no clock but the frames it is given.
 */
export class AnnouncementEvidence {
  private voicedMs = 0;
  private bursts = 0;
  private quietestDb = Infinity;
  private quietMs = 0;
  /** Pauses down to the line's quiet heard between voiced stretches. */
  private pauses = 0;
  private run: { ms: number; sum: number; sumSq: number; frames: number } | undefined;
  /** Set once something ringback- or music-like was heard; never cleared. */
  standDown: NotAnnouncement | undefined;

  /** A confirmed steady tone (from the tone tracker) of this frequency and length so far. */
  tone(frequencyHz: number, lengthMs: number): void {
    if (frequencyHz >= RINGBACK_MIN_HZ && frequencyHz <= RINGBACK_MAX_HZ && lengthMs >= RINGBACK_TONE_MS) this.standDown ??= 'ringback-tone';
  }

  /** One frame: whether it carries voice energy, and its level. True once the evidence is complete. */
  frame(voiced: boolean, energyDb: number, frameMs: number): boolean {
    if (energyDb > DIGITAL_SILENCE_DB && energyDb < this.quietestDb) this.quietestDb = energyDb;
    const quiet = energyDb <= DIGITAL_SILENCE_DB || energyDb < Math.min(this.quietestDb + QUIET_ABOVE_MIN_DB, QUIET_MAX_DB);
    if (quiet && !voiced) {
      this.quietMs += frameMs;
      // A pause counts between words: once a word was heard.
      if (this.quietMs === PAUSE_MS && this.bursts > 0) this.pauses++;
    } else {
      this.quietMs = 0;
    }
    if (voiced) {
      const r = (this.run ??= { ms: 0, sum: 0, sumSq: 0, frames: 0 });
      r.ms += frameMs;
      r.frames++;
      r.sum += energyDb;
      r.sumSq += energyDb * energyDb;
      if (r.ms >= CONTINUOUS_MS) this.standDown ??= 'continuous';
    } else {
      this.closeRun();
    }
    return this.heard;
  }

  /** Enough voice in enough pieces with a real pause among them, and nothing that sounded like ringback or music. */
  get heard(): boolean {
    return this.standDown === undefined && this.voicedMs >= ANNOUNCEMENT_SPEECH_MS && this.bursts >= ANNOUNCEMENT_MIN_BURSTS && this.pauses > 0;
  }

  private closeRun(): void {
    const r = this.run;
    this.run = undefined;
    if (!r || r.ms < MIN_BURST_MS) return;
    const mean = r.sum / r.frames;
    const spread = Math.sqrt(Math.max(0, r.sumSq / r.frames - mean * mean));
    if (r.ms >= STEADY_BURST_MS && spread <= STEADY_DB_SPREAD) {
      this.standDown ??= 'steady-burst';
      return;
    }
    this.voicedMs += r.ms;
    this.bursts++;
  }
}
