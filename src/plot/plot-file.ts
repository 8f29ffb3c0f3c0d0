// `outdial amd --plot OUT.svg FILE.wav`: the file's audio summarized as a live call's would be (16 kHz
// decimated to 8 kHz the way the AMD engine does it), drawn with the events AMD gave for the file.

import { parseWav } from '../amd/index.js';
import type { AmdEvent } from '../domain/index.js';
import { renderAmdSvg } from './amd-svg.js';
import { AudioSummarizer } from './audio-summarizer.js';

export function plotWav(title: string, wav: Buffer, events: readonly AmdEvent[]): string {
  const audio = parseWav(wav);
  const summarizer = new AudioSummarizer();
  let pcm = audio.samples;
  if (audio.sampleRate === 16000) {
    const half = new Int16Array(pcm.length >> 1);
    for (let i = 0; i < half.length; i++) half[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) >> 1;
    pcm = half;
  }
  summarizer.pushFrame(pcm);
  return renderAmdSvg({ title, summary: summarizer.summary(), events });
}
