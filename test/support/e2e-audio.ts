// The E2E far-end audio (human, voicemail, fax, silence, bot): the demo's renderer, cached in test/e2e/audio/cache/.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFarEndAudio, type AudioFiles, type AudioLabels, type AudioName } from '../../demo/index.js';

export type { AudioFiles, AudioLabels };
export type E2eAudioName = AudioName;

export const E2E_AUDIO_CACHE = join(dirname(fileURLToPath(import.meta.url)), '../e2e/audio/cache');

export interface E2eAudio {
  dir: string;
  /** Per recording: `.wav` (µ-law WAV), `.ulaw` (headerless, for rtp_stream) and `.pcap` (for play_pcap_audio). */
  files: Record<E2eAudioName, AudioFiles>;
  /** Known offsets: speech start/end, beep start/end, fax tone onsets, durations (ms). */
  labels: Record<E2eAudioName, AudioLabels>;
}

let rendering: Promise<E2eAudio> | undefined;

/** Renders the audio on first use (about half a second) and reuses the cache afterwards. */
export function e2eAudio(): Promise<E2eAudio> {
  rendering ??= renderFarEndAudio(E2E_AUDIO_CACHE);
  return rendering;
}
