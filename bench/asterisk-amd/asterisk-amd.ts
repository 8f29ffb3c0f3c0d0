/**
 * The classic Asterisk app_amd algorithm, written from its public description (AMD() application docs and
 * amd.conf.sample): per 20 ms frame, a frame is silence when its mean absolute amplitude is below
 * silence_threshold; voice and silence durations drive word counting and the verdict.
 */
export interface AsteriskAmdConfig {
  initialSilence: number;
  greeting: number;
  afterGreetingSilence: number;
  totalAnalysisTime: number;
  minWordLength: number;
  betweenWordsSilence: number;
  maximumNumberOfWords: number;
  silenceThreshold: number;
  maximumWordLength: number;
}

/** amd.conf defaults (maximum_number_of_words is 2 in current releases, 3 in older ones). */
export const asteriskAmdDefaults: AsteriskAmdConfig = {
  initialSilence: 2500,
  greeting: 1500,
  afterGreetingSilence: 800,
  totalAnalysisTime: 5000,
  minWordLength: 100,
  betweenWordsSilence: 50,
  maximumNumberOfWords: 2,
  silenceThreshold: 256,
  maximumWordLength: 5000,
};

export type AsteriskAmdStatus = 'MACHINE' | 'HUMAN' | 'NOTSURE';

export interface AsteriskAmdResult {
  status: AsteriskAmdStatus;
  cause: string;
  atMs: number;
}

const FRAME_MS = 20;

export class AsteriskAmd {
  private readonly cfg: AsteriskAmdConfig;
  private totalTime = 0;
  private silenceRun = 0;
  private voiceDuration = 0;
  private consecutiveVoice = 0;
  private words = 0;
  private inWord = true;
  private inInitialSilence = true;
  private inGreeting = false;
  private verdict: AsteriskAmdResult | undefined;

  constructor(cfg: Partial<AsteriskAmdConfig> = {}) {
    this.cfg = { ...asteriskAmdDefaults, ...cfg };
  }

  get result(): AsteriskAmdResult | undefined {
    return this.verdict;
  }

  /** One 20 ms frame at 8 kHz; returns the verdict once reached. */
  push(frame: Int16Array): AsteriskAmdResult | undefined {
    if (this.verdict) return this.verdict;
    const c = this.cfg;
    this.totalTime += FRAME_MS;
    if (this.totalTime >= c.totalAnalysisTime) return this.finish('NOTSURE', 'TOOLONG');
    let sum = 0;
    for (let i = 0; i < frame.length; i++) sum += Math.abs(frame[i]!);
    const silent = sum / frame.length < c.silenceThreshold;
    if (silent) {
      this.silenceRun += FRAME_MS;
      if (this.silenceRun >= c.betweenWordsSilence) {
        this.inWord = false;
        this.consecutiveVoice = 0;
      }
      if (this.inInitialSilence && this.silenceRun >= c.initialSilence) return this.finish('MACHINE', 'INITIALSILENCE');
      if (this.inGreeting && this.silenceRun >= c.afterGreetingSilence) return this.finish('HUMAN', 'HUMAN');
    } else {
      this.silenceRun = 0;
      this.consecutiveVoice += FRAME_MS;
      this.voiceDuration += FRAME_MS;
      if (this.consecutiveVoice >= c.minWordLength && !this.inWord) {
        this.words++;
        this.inWord = true;
      }
      if (this.consecutiveVoice >= c.maximumWordLength) return this.finish('MACHINE', 'MAXWORDLENGTH');
      if (this.words >= c.maximumNumberOfWords) return this.finish('MACHINE', 'MAXWORDS');
      if (this.inGreeting && this.voiceDuration >= c.greeting) return this.finish('MACHINE', 'LONGGREETING');
      if (this.voiceDuration >= c.minWordLength) {
        this.inInitialSilence = false;
        this.inGreeting = true;
      }
    }
    return undefined;
  }

  private finish(status: AsteriskAmdStatus, cause: string): AsteriskAmdResult {
    this.verdict = { status, cause, atMs: this.totalTime };
    return this.verdict;
  }
}
