import { HumanReason, MachineReason, type AmdEvent, type Transcript } from './events.js';
import { countWords, findHint, hintsFor } from './hints.js';

/**
 * What a recognizer's transcript of the greeting decides on its own: a voicemail phrase or a greeting of
 * thresholdWordCount words is a machine, a short final greeting a human, anything else nothing yet. It
 * stands apart from the engine because it reads words, not audio: a pure rule on the text, whatever state
 * the audio detectors are in (docs/amd.md).
 */
export function transcriptVerdict(t: Transcript, hints: Record<string, string[]>, thresholdWordCount: number, atMs: number): AmdEvent | undefined {
  const lang = t.language !== undefined ? { language: t.language } : {};
  const hint = findHint(t.text, hintsFor(hints, t.language));
  if (hint !== undefined) return { type: 'amd_machine_detected', reason: MachineReason.hint, hint, greeting: t.text, ...lang, atMs };
  if (countWords(t.text) >= thresholdWordCount) return { type: 'amd_machine_detected', reason: MachineReason.longGreeting, greeting: t.text, ...lang, atMs };
  if (t.final && countWords(t.text) > 0) return { type: 'amd_human_detected', reason: HumanReason.shortGreeting, greeting: t.text, ...lang, atMs };
  return undefined;
}
