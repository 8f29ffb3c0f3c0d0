import { AmdEngine } from './engine.js';
import type { AmdEvent } from './events.js';
import type { AmdOptions } from './options.js';
import { parseWav, WavError } from './wav.js';

/** Runs the engine over a whole WAV file, to its end, and returns every event (ending with amd_stopped). */
export function detectFile(wav: Buffer, options?: Partial<AmdOptions>): AmdEvent[] {
  let audio;
  try {
    audio = parseWav(wav);
  } catch (err) {
    const error = err instanceof WavError ? err.message : `cannot read WAV: ${(err as Error).message}`;
    return [{ type: 'amd_error', error, atMs: 0 }];
  }
  if (audio.sampleRate !== 8000 && audio.sampleRate !== 16000) {
    return [{ type: 'amd_error', error: `sample rate ${audio.sampleRate} Hz is not supported (8000 or 16000 expected)`, atMs: 0 }];
  }
  if (audio.samples.length === 0) return [{ type: 'amd_error', error: 'WAV file has no audio samples', atMs: 0 }];
  const engine = new AmdEngine(options, audio.sampleRate);
  const frame = audio.sampleRate / 50;
  const events: AmdEvent[] = [];
  for (let i = 0; i < audio.samples.length; i += frame) {
    for (const e of engine.pushFrame(audio.samples.subarray(i, i + frame))) events.push(e);
    if (events.length > 0 && events[0]!.type === 'amd_error') return events;
  }
  for (const e of engine.stop()) events.push(e);
  return events;
}
