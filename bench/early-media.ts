/**
 * `npm run bench:early-media`: plays every recording of the AMD corpus as if it were a 183's early media and
 * prints, per class of audio, how often the early-media listener ends the call (SIT, announcement) and how far
 * into the audio. People's answers, fax and silence must never end a call; voicemail greetings stand in for
 * recorded announcements (docs/amd.md, "Early media").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarlyMediaListener } from '../src/amd/early-media.js';
import { parseWav } from '../src/amd/index.js';
import { CACHE_DIR, generateCorpus } from '../test/fixtures/amd/corpus.js';

// the corpus as recorded; the stress part repeats its people over louder room talk
const labels = (await generateCorpus()).filter((l) => l.split !== 'stress');
const rows = new Map<string, { files: number; sit: number; announcement: number; atMs: number[] }>();
for (const label of labels) {
  const audio = parseWav(readFileSync(join(CACHE_DIR, label.file)));
  if (audio.sampleRate !== 8000) continue;
  const listener = new EarlyMediaListener();
  let signal;
  for (let i = 0; i < audio.samples.length && !signal; i += 160) signal = listener.pushFrame(audio.samples.subarray(i, i + 160));
  const row = rows.get(label.cls) ?? { files: 0, sit: 0, announcement: 0, atMs: [] };
  rows.set(label.cls, row);
  row.files++;
  if (signal) {
    row[signal.cause]++;
    row.atMs.push(signal.atMs);
  }
}
console.log('class      files  SIT  announcement  median ms into the audio');
for (const [cls, r] of [...rows].sort()) {
  const sorted = r.atMs.sort((a, b) => a - b);
  const median = sorted.length ? String(sorted[Math.floor(sorted.length / 2)]) : '-';
  console.log(`${cls.padEnd(10)} ${String(r.files).padStart(5)} ${String(r.sit).padStart(4)} ${String(r.announcement).padStart(13)}  ${median}`);
}
