// The E2E far-end audio (human, voicemail, fax, silence, bot), rendered once into test/e2e/audio/cache/.
import { renderE2eAudio, type AudioFiles, type AudioLabels, type E2eAudioName } from '../e2e/audio/render.js';

export type { AudioFiles, AudioLabels, E2eAudioName };

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
  rendering ??= renderE2eAudio();
  return rendering;
}
