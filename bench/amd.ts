/**
 * `npm run bench:amd`: runs the AMD engine and the Asterisk app_amd baseline over the labelled corpus and
 * prints accuracy, false-machine rate, beep recall/latency, human decision latency and throughput.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmdEngine, defaultAmdOptions, parseWav, type AmdEvent } from '../src/amd/index.js';
import { CACHE_DIR, generateCorpus, type CorpusLabel } from '../test/fixtures/amd/corpus.js';
import { AsteriskAmd } from './asterisk-amd/index.js';

interface Outcome {
  label: CorpusLabel;
  decision: string | undefined;
  reason: string | undefined;
  decisionAtMs: number | undefined;
  tones: number[];
}

interface Run {
  outcomes: Outcome[];
  audioMs: number;
  cpuMs: number;
}

const FRAME = 160;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runEngine(files: { label: CorpusLabel; samples: Int16Array }[]): Run {
  const outcomes: Outcome[] = [];
  let audioMs = 0;
  const t0 = cpuMs();
  for (const { label, samples } of files) {
    const engine = new AmdEngine();
    const events: AmdEvent[] = [];
    for (let i = 0; i + FRAME <= samples.length; i += FRAME) {
      const out = engine.pushFrame(samples.subarray(i, i + FRAME));
      for (const e of out) events.push(e);
    }
    audioMs += (samples.length / 8000) * 1000;
    const d = engine.decision;
    outcomes.push({
      label,
      decision: d?.type,
      reason: d && 'reason' in d ? d.reason : undefined,
      decisionAtMs: d?.atMs,
      tones: events.filter((e) => e.type === 'amd_tone_detected').map((e) => e.atMs),
    });
  }
  return { outcomes, audioMs, cpuMs: cpuMs() - t0 };
}

function runBaseline(files: { label: CorpusLabel; samples: Int16Array }[]): Run {
  const outcomes: Outcome[] = [];
  let audioMs = 0;
  const t0 = cpuMs();
  for (const { label, samples } of files) {
    const amd = new AsteriskAmd();
    for (let i = 0; i + FRAME <= samples.length && !amd.result; i += FRAME) amd.push(samples.subarray(i, i + FRAME));
    audioMs += (samples.length / 8000) * 1000;
    const r = amd.result;
    const decision = r?.status === 'MACHINE' ? 'amd_machine_detected' : r?.status === 'HUMAN' ? 'amd_human_detected' : r ? 'amd_decision_timeout' : undefined;
    outcomes.push({ label, decision, reason: r?.cause, decisionAtMs: r?.atMs, tones: [] });
  }
  return { outcomes, audioMs, cpuMs: cpuMs() - t0 };
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}% (${n}/${d})`;
}

function quantile(xs: number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function ms(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${Math.round(x)} ms`;
}

function summarize(run: Run, hasTones: boolean): Map<string, string> {
  const rows = new Map<string, string>();
  const o = run.outcomes;
  const ok = (x: Outcome): boolean => x.decision === x.label.expected;
  rows.set('accuracy (all)', pct(o.filter(ok).length, o.length));
  for (const cls of ['human', 'machine', 'fax', 'sit', 'silence']) {
    const c = o.filter((x) => x.label.cls === cls);
    rows.set(`accuracy ${cls}`, pct(c.filter(ok).length, c.length));
  }
  const tagged = o.filter((x) => x.label.expectedReason);
  rows.set('fax/sit reason right', hasTones ? pct(tagged.filter((x) => ok(x) && x.reason === x.label.expectedReason).length, tagged.length) : 'n/a');
  const humans = o.filter((x) => x.label.cls === 'human');
  rows.set('false machine on humans', pct(humans.filter((x) => x.decision === 'amd_machine_detected').length, humans.length));
  // beeps that start after toneTimeoutMs are, by that option's definition, not listened for
  const beeps = o.flatMap((x) => x.label.beeps.filter((b) => b.startMs < defaultAmdOptions.toneTimeoutMs).map((b) => ({ b, tones: x.tones })));
  const latencies: number[] = [];
  let found = 0;
  for (const { b, tones } of beeps) {
    const hit = tones.find((t) => t >= b.startMs && t <= b.endMs + 200);
    if (hit !== undefined) {
      found++;
      latencies.push(hit - b.startMs);
    }
  }
  rows.set('beep recall', hasTones ? pct(found, beeps.length) : 'n/a (no beep detector)');
  rows.set('beep latency p50 from start', hasTones ? ms(quantile(latencies, 0.5)) : 'n/a');
  const humanLat = humans
    .filter((x) => ok(x) && x.decisionAtMs !== undefined && x.label.speechEndMs !== undefined)
    .map((x) => x.decisionAtMs! - x.label.speechEndMs!);
  rows.set('human decision after speech p50', ms(quantile(humanLat, 0.5)));
  rows.set('human decision after speech p90', ms(quantile(humanLat, 0.9)));
  rows.set('throughput (audio s / CPU s)', `${Math.round(run.audioMs / Math.max(1e-3, run.cpuMs))}x`);
  return rows;
}

const labels = await generateCorpus();
const files = labels.map((label) => ({ label, samples: parseWav(readFileSync(join(CACHE_DIR, label.file))).samples }));
// warm up the JIT before measuring
runEngine(files.slice(0, 10));
const ours = runEngine(files);
const base = runBaseline(files);
const a = summarize(ours, true);
const b = summarize(base, false);
const width = Math.max(...[...a.keys()].map((k) => k.length));
const col = 26;
process.stdout.write(`AMD benchmark on ${files.length} files, ${(ours.audioMs / 1000).toFixed(0)} s of audio\n\n`);
process.stdout.write(`${'metric'.padEnd(width)} | ${'outdial'.padEnd(col)} | asterisk app_amd (amd.conf defaults)\n`);
process.stdout.write(`${'-'.repeat(width)}-|-${'-'.repeat(col)}-|-${'-'.repeat(36)}\n`);
for (const [k, v] of a) process.stdout.write(`${k.padEnd(width)} | ${v.padEnd(col)} | ${b.get(k) ?? ''}\n`);
const misses = ours.outcomes.filter((x) => x.decision !== x.label.expected);
if (misses.length > 0) {
  process.stdout.write(`\noutdial misses:\n`);
  for (const m of misses) process.stdout.write(`  ${m.label.id} (${m.label.note}): expected ${m.label.expected}, got ${m.decision ?? 'nothing'} ${m.reason ?? ''} at ${m.decisionAtMs ?? '-'} ms\n`);
}
const late = files.flatMap((f) => f.label.beeps).filter((b) => b.startMs >= defaultAmdOptions.toneTimeoutMs).length;
if (late > 0) process.stdout.write(`\n(${late} labelled beeps start after toneTimeoutMs=${defaultAmdOptions.toneTimeoutMs} and are left out of beep recall)\n`);
const missedBeeps = ours.outcomes.filter((x) =>
  x.label.beeps.some((b) => b.startMs < defaultAmdOptions.toneTimeoutMs && !x.tones.some((t) => t >= b.startMs && t <= b.endMs + 200)),
);
if (missedBeeps.length > 0) {
  process.stdout.write(`\nfiles with a missed beep:\n`);
  for (const m of missedBeeps) process.stdout.write(`  ${m.label.id}: beeps ${JSON.stringify(m.label.beeps)} tones at ${JSON.stringify(m.tones)}\n`);
}
