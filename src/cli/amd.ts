import { readFileSync, writeFileSync } from 'node:fs';
import { detectFile, type AmdEvent, type AmdOptions } from '../amd/index.js';
import { plotWav } from '../plot/plot-file.js';

export interface AmdCliOptions {
  json?: boolean;
  thresholdWordCount?: string;
  noSpeechTimeoutMs?: string;
  decisionTimeoutMs?: string;
  toneTimeoutMs?: string;
  greetingCompletionTimeoutMs?: string;
  speechEndThresholdMs?: string;
  /** Draws the file's level, speech, tones and events to this SVG file. */
  plot?: string;
}

const flags: Record<keyof Omit<AmdCliOptions, 'json' | 'plot'>, string> = {
  thresholdWordCount: '--threshold-word-count',
  noSpeechTimeoutMs: '--no-speech-timeout-ms',
  decisionTimeoutMs: '--decision-timeout-ms',
  toneTimeoutMs: '--tone-timeout-ms',
  greetingCompletionTimeoutMs: '--greeting-completion-timeout-ms',
  speechEndThresholdMs: '--speech-end-threshold-ms',
};

function readableLine(file: string, e: AmdEvent): string {
  const { type, atMs, ...fields } = e;
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' && v.includes(' ') ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${file}\t${String(atMs).padStart(6)} ms\t${type}${extra ? `\t${extra}` : ''}`;
}

/** `outdial amd FILE.wav...`: prints every event of every file; returns the exit code. */
export function runAmd(files: string[], cli: AmdCliOptions): number {
  const options: Partial<AmdOptions> = {};
  for (const [key, flag] of Object.entries(flags) as [keyof typeof flags, string][]) {
    const raw = cli[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || (key === 'thresholdWordCount' && n < 1)) {
      process.stderr.write(`outdial amd: ${flag} must be a ${key === 'thresholdWordCount' ? 'positive' : 'non-negative'} integer, got "${raw}"\n`);
      return 2;
    }
    options[key] = n;
  }
  if (cli.plot !== undefined && files.length !== 1) {
    process.stderr.write(`outdial amd: --plot draws one file, got ${files.length}\n`);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let wav: Buffer;
    try {
      wav = readFileSync(file);
    } catch (err) {
      process.stderr.write(`outdial amd: cannot read ${file}: ${(err as Error).message}\n`);
      failed = true;
      continue;
    }
    const events = detectFile(wav, options);
    for (const e of events) {
      process.stdout.write(`${cli.json ? JSON.stringify({ file, ...e }) : readableLine(file, e)}\n`);
      if (e.type === 'amd_error') {
        process.stderr.write(`outdial amd: cannot read ${file}: ${e.error}\n`);
        failed = true;
      }
    }
    if (cli.plot !== undefined && !failed) failed = !writePlot(cli.plot, file, wav, events);
  }
  return failed ? 1 : 0;
}

function writePlot(out: string, file: string, wav: Buffer, events: AmdEvent[]): boolean {
  try {
    writeFileSync(out, plotWav(file, wav, events));
    return true;
  } catch (err) {
    process.stderr.write(`outdial amd: cannot write the plot ${out}: ${(err as Error).message}\n`);
    return false;
  }
}
