import { HumanReason, MachineReason, type AmdEvent, type LateMachineEvidence, type Transcript } from './events.js';
import { newFrameFeatures } from './frame-analysis.js';
import { readFrame } from './frame-reading.js';
import { judgeFaxTone } from './fax-detector.js';
import { GreetingTracker } from './greeting-tracker.js';
import { defaultVoicemailHints } from './hints.js';
import { resolveAmdOptions, type AmdOptions } from './options.js';
import { SitDetector } from './sit-detector.js';
import { SpeechDetector } from './speech-detector.js';
import { ToneTracker, type ToneChange, type ToneSegment } from './tone-tracker.js';
import { transcriptVerdict } from './transcript-verdict.js';
import { Verdict } from './verdict.js';
import { WordEstimator } from './word-estimator.js';
import { FRAME_MS, FrameAssembler } from './frame-assembler.js';
import { GREETING_RESUME_MS, LATE_MACHINE_WINDOW_MS, LONG_UTTERANCE_MS, machineFinished, speechEndWaitMs } from './timings.js';

/**
 * Answering machine detection on an audio stream. Pure and synchronous: frames in, events out; the
 * audio itself is the clock, so a file and a live call give the same events at the same offsets.
 */
export class AmdEngine {
  private readonly options: AmdOptions | undefined;
  private readonly configError: string | undefined;
  private readonly sampleRate: number;
  private readonly hints: Record<string, string[]>;
  private readonly framer = new FrameAssembler();
  /** The events of the push in progress, for the frame callback (one bound callback, not one per push). */
  private pushOut: AmdEvent[] = [];
  private readonly onFrame = (frame: Int16Array | null): void => this.processFrame(frame, this.pushOut);
  private clockMs = 0;
  private readonly verdict = new Verdict();
  private errorReported = false;
  private stoppedSpeakingSent = false;
  private lastToneEndMs = -Infinity;
  /** The evidence amd_machine_after_human last reported (a beep may follow the greeting going on). */
  private lateEvidence: LateMachineEvidence | undefined;

  private readonly features = newFrameFeatures();
  private readonly speech = new SpeechDetector();
  private readonly words = new WordEstimator();
  private readonly greeting = new GreetingTracker();
  private readonly tones = new ToneTracker();
  private readonly sit = new SitDetector();
  private readonly toneChanges: ToneChange[] = [];
  /** Tones heard before any decision that might still turn out to be SIT or fax. */
  private deferredTones: ToneSegment[] = [];

  constructor(options?: Partial<AmdOptions>, sampleRate: 8000 | 16000 = 8000) {
    const resolved = resolveAmdOptions(options);
    if (typeof resolved === 'string') this.configError = resolved;
    else this.options = resolved;
    if (sampleRate !== 8000 && sampleRate !== 16000) {
      this.configError ??= `unsupported sample rate ${String(sampleRate)} Hz (8000 or 16000 expected)`;
    }
    this.sampleRate = sampleRate;
    this.hints = this.options?.hints ?? defaultVoicemailHints;
  }

  /** Audio offset processed so far, in ms. */
  get offsetMs(): number {
    return this.clockMs;
  }

  /** The first decision: human, machine, no speech or decision timeout. */
  get decision(): AmdEvent | undefined {
    return this.verdict.first;
  }

  /**
   * After a human decision: whether the audio can still show a machine after all — within
   * LATE_MACHINE_WINDOW_MS of the decision, or, once the greeting was heard going on, until a beep.
   */
  get lateMachineWindowOpen(): boolean {
    if (this.verdict.phase !== 'decided' || this.verdict.first?.type !== 'amd_human_detected' || this.lateEvidence === 'beep') return false;
    if (this.lateEvidence === 'greeting') return !this.stoppedSpeakingSent;
    return this.clockMs - this.verdict.first.atMs < LATE_MACHINE_WINDOW_MS;
  }

  pushFrame(pcm: Int16Array): AmdEvent[] {
    const out: AmdEvent[] = [];
    if (!this.usable(out)) return out;
    if (!(pcm instanceof Int16Array)) {
      const kind = (pcm as unknown as object | null)?.constructor?.name ?? typeof pcm;
      out.push({ type: 'amd_error', error: `frame must be an Int16Array of 16-bit PCM samples, got ${kind}`, atMs: this.clockMs });
      return out;
    }
    this.pushOut = out;
    this.framer.push(pcm, this.sampleRate === 16000, this.onFrame);
    return out;
  }

  pushGap(ms: number): AmdEvent[] {
    const out: AmdEvent[] = [];
    if (!this.usable(out)) return out;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      out.push({ type: 'amd_error', error: `gap must be a non-negative number of ms, got ${String(ms)}`, atMs: this.clockMs });
      return out;
    }
    this.pushOut = out;
    this.framer.pushGap(ms, () => this.onFrame(null));
    return out;
  }

  pushTranscript(t: Transcript): AmdEvent[] {
    const out: AmdEvent[] = [];
    if (!this.usable(out)) return out;
    if (typeof t?.text !== 'string') {
      out.push({ type: 'amd_error', error: 'transcript text must be a string', atMs: this.clockMs });
      return out;
    }
    if (this.verdict.phase !== 'listening') return out;
    const fromText = transcriptVerdict(t, this.hints, this.options!.thresholdWordCount, this.clockMs);
    if (fromText?.type === 'amd_machine_detected') this.verdict.decideMachine(fromText, out);
    else if (fromText) this.verdict.decide(fromText, out);
    return out;
  }

  stop(): AmdEvent[] {
    if (!this.verdict.stop()) return [];
    return [{ type: 'amd_stopped', atMs: this.clockMs }];
  }

  private usable(out: AmdEvent[]): boolean {
    if (this.configError !== undefined) {
      if (!this.errorReported) {
        this.errorReported = true;
        out.push({ type: 'amd_error', error: this.configError, atMs: this.clockMs });
      }
      return false;
    }
    return this.verdict.phase !== 'stopped';
  }

  /** One 20 ms frame; null stands for a lost or suppressed frame. */
  private processFrame(frame: Int16Array | null, out: AmdEvent[]): void {
    if (this.verdict.phase === 'stopped') return;
    const startMs = this.clockMs;
    this.clockMs += FRAME_MS;
    const f = this.features;
    const tonal = readFrame(frame, f, this.speech.noiseFloorDb);
    if (startMs < this.options!.toneTimeoutMs || this.tones.active) {
      this.toneChanges.length = 0;
      this.tones.push(tonal, f.toneHz, f.energyDb, startMs, FRAME_MS, this.toneChanges);
      for (const change of this.toneChanges) this.onToneChange(change, out);
    }
    // a frame that continues a steady tone is not speech; a lone tonal frame (a nasal, a vowel) still is
    const steadyTone = tonal && this.tones.runFrames >= 2;
    const voiced = frame ? this.speech.push(f.energyDb, steadyTone) : this.speech.pushGap();
    this.greeting.push(voiced, startMs, FRAME_MS, f.energyDb, steadyTone);
    // speech far louder than what came before: that was the room, and its syllables are no greeting's words
    if (this.greeting.restarted && this.verdict.phase === 'listening') this.words.restart();
    // voice held pending (the greeting going on, or the room's loudest syllables) counts only once confirmed
    const pending = this.greeting.resumePending;
    if (pending) this.words.hold();
    this.words.push(f.energyDb, this.greeting.heard || (pending && voiced), this.speech.thresholdDb);
    if (this.greeting.resumeConfirmed) this.words.keep();
    else if (!pending) this.words.drop();
    if (this.verdict.phase === 'listening') this.checkDecision(out);
    if (this.verdict.phase === 'decided') {
      this.checkGreetingAfterHuman(out);
      this.checkStoppedSpeaking(out);
    }
  }

  private onToneChange(change: ToneChange, out: AmdEvent[]): void {
    const tone = change.tone;
    if (change.kind === 'ended') this.lastToneEndMs = tone.endMs;
    if (this.verdict.phase === 'decided') {
      if (change.kind !== 'confirmed' || !this.verdict.reportsTones) return;
      if (this.lateMachineWindowOpen && tone.startMs < this.options!.toneTimeoutMs) this.reportLateMachine('beep', MachineReason.beep, out);
      this.emitTone(tone, out);
      return;
    }
    if (this.verdict.phase !== 'listening') return;
    const beforeSpeech = !this.greeting.started;
    if (change.kind === 'ended') {
      this.sit.onEnded(tone);
      if (beforeSpeech && judgeFaxTone(tone, true) === 'fax') {
        this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.fax, atMs: this.clockMs }, out);
      }
      return;
    }
    const sit = beforeSpeech ? this.sit.onConfirmed(tone) : 'not-sit';
    const fax = beforeSpeech ? judgeFaxTone(tone, false) : 'not-fax';
    if (sit === 'sit') {
      this.deferredTones = [];
      this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.sit, atMs: this.clockMs }, out);
    } else if (fax === 'fax') {
      this.deferredTones = [];
      this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.fax, atMs: this.clockMs }, out);
    } else if (sit === 'pending' || fax === 'pending') {
      this.deferredTones.push(tone);
    } else {
      this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.beep, atMs: this.clockMs }, out);
      this.emitTone(tone, out);
    }
  }

  /** Whether tones pending SIT/fax classification are still undecided at this frame. */
  private tonesPending(): boolean {
    if (this.deferredTones.length === 0) return false;
    if (this.sit.pending(this.clockMs)) return true;
    const running = this.tones.current;
    return running !== undefined && judgeFaxTone(running, false) === 'pending';
  }

  private checkDecision(out: AmdEvent[]): void {
    const opts = this.options!;
    const now = this.clockMs;
    if (this.deferredTones.length > 0) {
      const running = this.tones.current;
      if (running && !this.greeting.started && judgeFaxTone(running, false) === 'fax') {
        this.deferredTones = [];
        this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.fax, atMs: now }, out);
        return;
      }
      if (this.tonesPending()) return;
      const tones = this.deferredTones;
      this.deferredTones = [];
      this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.beep, atMs: now }, out);
      for (const t of tones) this.emitTone(t, out);
      return;
    }
    if (this.greeting.started) {
      if (this.words.words >= opts.thresholdWordCount || this.greeting.utteranceMs >= LONG_UTTERANCE_MS) {
        this.verdict.decideMachine({ type: 'amd_machine_detected', reason: MachineReason.longGreeting, atMs: now }, out);
        return;
      }
      if (!this.tones.active && !this.greeting.resumePending && this.greeting.silenceMs(now) >= speechEndWaitMs(opts.speechEndThresholdMs, this.greeting)) {
        this.verdict.decide({ type: 'amd_human_detected', reason: HumanReason.shortGreeting, atMs: now }, out);
        return;
      }
    } else if (now >= opts.noSpeechTimeoutMs && !this.tones.active) {
      this.verdict.decide({ type: 'amd_no_speech_detected', atMs: now }, out);
      return;
    }
    if (now >= opts.decisionTimeoutMs) this.verdict.decide({ type: 'amd_decision_timeout', atMs: now }, out);
  }

  /** After a human decision: the greeting going on soon after it, into a long greeting, shows a machine. */
  private checkGreetingAfterHuman(out: AmdEvent[]): void {
    if (this.lateEvidence !== undefined || !this.lateMachineWindowOpen) return;
    const decidedAt = this.verdict.first!.atMs;
    const resumedAt = this.greeting.utteranceStartMs;
    if (resumedAt < decidedAt - this.options!.speechEndThresholdMs || resumedAt > decidedAt + GREETING_RESUME_MS) return;
    if (this.words.words >= this.options!.thresholdWordCount + 2 && this.greeting.utteranceMs >= 1500) {
      this.reportLateMachine('greeting', MachineReason.longGreeting, out);
    }
  }

  private reportLateMachine(evidence: LateMachineEvidence, reason: string, out: AmdEvent[]): void {
    if (this.lateEvidence === evidence || this.lateEvidence === 'beep') return;
    this.lateEvidence = evidence;
    this.verdict.machineReason = reason;
    out.push({ type: 'amd_machine_after_human', evidence, atMs: this.clockMs });
  }

  private checkStoppedSpeaking(out: AmdEvent[]): void {
    if (this.stoppedSpeakingSent || this.verdict.machineReason === undefined || this.verdict.machineReason === MachineReason.fax) return;
    if (this.tones.active) return;
    const now = this.clockMs;
    const lastVoice = this.greeting.started ? this.greeting.lastVoiceEndMs : -Infinity;
    if (machineFinished(now, lastVoice, this.lastToneEndMs, this.options!.greetingCompletionTimeoutMs)) {
      this.stoppedSpeakingSent = true;
      out.push({ type: 'amd_machine_stopped_speaking', atMs: now });
    }
  }

  private emitTone(tone: ToneSegment, out: AmdEvent[]): void {
    if (tone.startMs >= this.options!.toneTimeoutMs) return;
    out.push({ type: 'amd_tone_detected', frequency: Math.round(tone.frequency), atMs: this.clockMs });
  }
}
