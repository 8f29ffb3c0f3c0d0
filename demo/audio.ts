/**
 * Renders the far-end audio of the demo and the E2E tests (human, voicemail, fax, silence, bot) as 8 kHz mono µ-law: a WAV file, the
 * raw µ-law bytes and an RTP pcap for SIPp, plus labels.json with the known offsets. Deterministic: speech
 * comes from espeak-ng (resampled by sox without dither), everything else is synthesised here with a seeded
 * noise generator; the cache is keyed by a hash of the recipe.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcmu } from '../src/media/index.js';
import { PACKET_SAMPLES, SAMPLE_RATE, mulawWav, rtpPcap } from './audio-container.js';

export const AUDIO_NAMES = ['human', 'voicemail', 'fax', 'silence', 'bot'] as const;
export type AudioName = (typeof AUDIO_NAMES)[number];

export interface AudioLabels {
  durationMs: number;
  /** Speech (human, voicemail greeting): first and last loud sample. */
  speechStartMs?: number;
  speechEndMs?: number;
  /** Voicemail: the 1000 Hz beep. */
  beepStartMs?: number;
  beepEndMs?: number;
  beepHz?: number;
  /** Fax: CNG 1100 Hz bursts. */
  toneOnsetsMs?: number[];
  toneHz?: number;
}

export interface AudioFiles {
  /** µ-law WAV (RIFF header + data), for people and offline tools. */
  wav: string;
  /** Headerless µ-law bytes: what SIPp's rtp_stream expects (it sends the file's bytes as they are). */
  ulaw: string;
  /** RTP (PT 0, PCMU) at 20 ms pacing: what SIPp's play_pcap_audio sends. */
  pcap: string;
}

export interface RenderedAudio {
  dir: string;
  files: Record<AudioName, AudioFiles>;
  labels: Record<AudioName, AudioLabels>;
}

const RECIPE = {
  version: 3,
  voice: { name: 'en-us', speed: 165, pitch: 50 },
  human: { leadMs: 400, text: 'Hello?', afterMs: 6000 },
  voicemail: {
    leadMs: 300,
    text: "Hi, you've reached Jordan Smith. I can't take your call right now. Please leave a message after the tone.",
    gapMs: 600,
    beepHz: 1000,
    beepMs: 500,
    afterMs: 3000,
  },
  fax: { toneHz: 1100, onMs: 500, offMs: 3000, totalMs: 8000, leadMs: 200 },
  silence: { totalMs: 8000 },
  bot: { hz: 440, totalMs: 30000 },
  noiseAmplitude: 24,
  toneAmplitude: 8000,
};

const msToSamples = (ms: number): number => Math.round((ms * SAMPLE_RATE) / 1000);
const samplesToMs = (n: number): number => Math.round((n * 1000) / SAMPLE_RATE);

/** Renders into `dir` unless the files there already match the recipe. Safe to call from parallel workers. */
export async function renderFarEndAudio(dir: string): Promise<RenderedAudio> {
  const key = createHash('sha256').update(JSON.stringify(RECIPE)).digest('hex').slice(0, 16);
  const labelsPath = join(dir, 'labels.json');
  const files = Object.fromEntries(
    AUDIO_NAMES.map((n) => [n, { wav: join(dir, `${n}.wav`), ulaw: join(dir, `${n}.ulaw`), pcap: join(dir, `${n}.pcmu.pcap`) }]),
  ) as Record<AudioName, AudioFiles>;
  const cached = readLabels(labelsPath, key);
  if (cached && AUDIO_NAMES.every((n) => Object.values(files[n]).every((p) => existsSync(p)))) {
    return { dir, files, labels: cached };
  }
  mkdirSync(dir, { recursive: true });
  const labels = {} as Record<AudioName, AudioLabels>;
  const noise = lineNoise(0x5eed);
  for (const name of AUDIO_NAMES) {
    const { pcm, label } = await renderOne(name, noise);
    labels[name] = label;
    const ulaw = encodePcmu(pcm);
    atomicWrite(files[name].ulaw, ulaw);
    atomicWrite(files[name].wav, mulawWav(ulaw));
    atomicWrite(files[name].pcap, rtpPcap(ulaw, 0));
  }
  atomicWrite(labelsPath, Buffer.from(JSON.stringify({ key, labels }, null, 2) + '\n'));
  return { dir, files, labels };
}

async function renderOne(name: AudioName, noise: () => number): Promise<{ pcm: Int16Array; label: AudioLabels }> {
  const parts: Int16Array[] = [];
  const at = (): number => parts.reduce((n, p) => n + p.length, 0);
  const label: AudioLabels = { durationMs: 0 };
  switch (name) {
    case 'human': {
      const r = RECIPE.human;
      parts.push(silence(r.leadMs, noise));
      const speech = await speak(r.text);
      label.speechStartMs = samplesToMs(at() + speech.first);
      label.speechEndMs = samplesToMs(at() + speech.last);
      parts.push(speech.pcm, silence(r.afterMs, noise));
      break;
    }
    case 'voicemail': {
      const r = RECIPE.voicemail;
      parts.push(silence(r.leadMs, noise));
      const speech = await speak(r.text);
      label.speechStartMs = samplesToMs(at() + speech.first);
      label.speechEndMs = samplesToMs(at() + speech.last);
      parts.push(speech.pcm, silence(r.gapMs, noise));
      label.beepStartMs = samplesToMs(at());
      label.beepEndMs = label.beepStartMs + r.beepMs;
      label.beepHz = r.beepHz;
      parts.push(tone(r.beepHz, r.beepMs), silence(r.afterMs, noise));
      break;
    }
    case 'fax': {
      const r = RECIPE.fax;
      label.toneOnsetsMs = [];
      label.toneHz = r.toneHz;
      parts.push(silence(r.leadMs, noise));
      while (samplesToMs(at()) + r.onMs <= r.totalMs) {
        label.toneOnsetsMs.push(samplesToMs(at()));
        parts.push(tone(r.toneHz, r.onMs));
        parts.push(silence(Math.min(r.offMs, r.totalMs - samplesToMs(at())), noise));
      }
      break;
    }
    case 'silence':
      parts.push(silence(RECIPE.silence.totalMs, noise));
      break;
    case 'bot':
      parts.push(tone(RECIPE.bot.hz, RECIPE.bot.totalMs));
      break;
  }
  // Whole 20 ms packets, so rtp_stream loops and pcap replays carry no partial frame.
  const short = (PACKET_SAMPLES - (at() % PACKET_SAMPLES)) % PACKET_SAMPLES;
  if (short) parts.push(name === 'bot' ? toneSamples(RECIPE.bot.hz, short, at()) : noiseSamples(short, noise));
  const pcm = concat(parts);
  label.durationMs = samplesToMs(pcm.length);
  return { pcm, label };
}

function readLabels(path: string, key: string): Record<AudioName, AudioLabels> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { key?: string; labels?: Record<AudioName, AudioLabels> };
    return parsed.key === key ? parsed.labels : undefined;
  } catch {
    return undefined;
  }
}

// Parallel test workers may render at once; a rename never exposes a half-written file.
function atomicWrite(path: string, data: Buffer): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** espeak-ng speech resampled by sox to 8 kHz 16-bit, with its first and last loud sample. */
async function speak(text: string): Promise<{ pcm: Int16Array; first: number; last: number }> {
  const v = RECIPE.voice;
  const wav = await run('espeak-ng', ['-v', v.name, '-s', String(v.speed), '-p', String(v.pitch), '--stdout', text]);
  const raw = await run('sox', ['-D', '-t', 'wav', '-', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed', '-t', 'raw', '-'], wav);
  const pcm = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.byteLength & ~1)));
  const loud = 600;
  let first = 0;
  while (first < pcm.length && Math.abs(pcm[first] as number) < loud) first++;
  let last = pcm.length - 1;
  while (last > first && Math.abs(pcm[last] as number) < loud) last--;
  if (first >= pcm.length) throw new Error(`espeak-ng rendered no audible speech for "${text}"`);
  return { pcm, first, last };
}

const tone = (hz: number, ms: number): Int16Array => toneSamples(hz, msToSamples(ms));
const silence = (ms: number, noise: () => number): Int16Array => noiseSamples(msToSamples(ms), noise);

function toneSamples(hz: number, n: number, phaseSamples = 0): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(RECIPE.toneAmplitude * Math.sin((2 * Math.PI * hz * (i + phaseSamples)) / SAMPLE_RATE));
  return out;
}

function noiseSamples(n: number, noise: () => number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = noise();
  return out;
}

/** Low line noise from a seeded generator, so every rendering is byte-identical. */
function lineNoise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round(((s / 0x100000000) * 2 - 1) * RECIPE.noiseAmplitude);
  };
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function run(cmd: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => reject(new Error(`${cmd} could not start: ${e.message}`)));
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
    child.stdin.end(input);
  });
}
