/**
 * `npm run bench:amd`: runs the AMD engine and the Asterisk app_amd baseline over the labelled corpus and
 * prints, for the tuning part and the held-out part, accuracy, false-machine rate, beep recall/latency,
 * human decision latency, machines caught after a human decision, figures per kind of audio, a sweep of
 * speechEndThresholdMs, and throughput.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmdEngine, defaultAmdOptions, parseWav, type AmdEvent, type AmdOptions } from '../src/amd/index.js';
import { CACHE_DIR, generateCorpus, type CorpusLabel } from '../test/fixtures/amd/corpus.js';
import { AsteriskAmd } from './asterisk-amd/index.js';

interface Outcome {
  label: CorpusLabel;
  decision: string | undefined;
  reason: string | undefined;
  decisionAtMs: number | undefined;
  tones: number[];
  /** A machine shown by the audio after a human decision (amd_machine_after_human), if any. */
  lateMachine: { atMs: number; evidence: string } | undefined;
}

interface Run {
  outcomes: Outcome[];
  audioMs: number;
  cpuMs: number;
}

type File = { label: CorpusLabel; samples: Int16Array };

const FRAME = 160;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runEngine(files: File[], options?: Partial<AmdOptions>): Run {
  const outcomes: Outcome[] = [];
  let audioMs = 0;
  const t0 = cpuMs();
  for (const { label, samples } of files) {
    const engine = new AmdEngine(options);
    const events: AmdEvent[] = [];
    for (let i = 0; i + FRAME <= samples.length; i += FRAME) {
      const out = engine.pushFrame(samples.subarray(i, i + FRAME));
      for (const e of out) events.push(e);
    }
    audioMs += (samples.length / 8000) * 1000;
    const d = engine.decision;
    const late = events.find((e) => e.type === 'amd_machine_after_human');
    outcomes.push({
      label,
      decision: d?.type,
      reason: d && 'reason' in d ? d.reason : undefined,
      decisionAtMs: d?.atMs,
      tones: events.filter((e) => e.type === 'amd_tone_detected').map((e) => e.atMs),
      lateMachine: late?.type === 'amd_machine_after_human' ? { atMs: late.atMs, evidence: late.evidence } : undefined,
    });
  }
  return { outcomes, audioMs, cpuMs: cpuMs() - t0 };
}

function runBaseline(files: File[]): Run {
  const outcomes: Outcome[] = [];
  let audioMs = 0;
  const t0 = cpuMs();
  for (const { label, samples } of files) {
    const amd = new AsteriskAmd();
    for (let i = 0; i + FRAME <= samples.length && !amd.result; i += FRAME) amd.push(samples.subarray(i, i + FRAME));
    audioMs += (samples.length / 8000) * 1000;
    const r = amd.result;
    const decision = r?.status === 'MACHINE' ? 'amd_machine_detected' : r?.status === 'HUMAN' ? 'amd_human_detected' : r ? 'amd_decision_timeout' : undefined;
    outcomes.push({ label, decision, reason: r?.cause, decisionAtMs: r?.atMs, tones: [], lateMachine: undefined });
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

const ok = (x: Outcome): boolean => x.decision === x.label.expected;

function beepHits(o: Outcome[]): { found: number; total: number; latencies: number[] } {
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
  return { found, total: beeps.length, latencies };
}

function humanLatencies(o: Outcome[]): number[] {
  return o
    .filter((x) => x.label.cls === 'human' && ok(x) && x.decisionAtMs !== undefined && x.label.speechEndMs !== undefined)
    .map((x) => x.decisionAtMs! - x.label.speechEndMs!);
}

/** When the recordings decided right were called machines: audio offsets from the file's start (the answer). */
function machineDecisionTimes(o: Outcome[]): number[] {
  return o.filter((x) => x.label.cls === 'machine' && ok(x) && x.decisionAtMs !== undefined).map((x) => x.decisionAtMs!);
}

/** A sweep's first two figures: accuracy and the share of people called machines, in per cent. */
function accuracyAndFalseMachine(o: Outcome[]): string {
  const humans = o.filter((x) => x.label.cls === 'human');
  const acc = ((100 * o.filter(ok).length) / o.length).toFixed(1);
  const fm = ((100 * humans.filter((x) => x.decision === 'amd_machine_detected').length) / humans.length).toFixed(1);
  return `${acc}% / ${fm}%`;
}

function summarize(o: Outcome[], run: Run, engine: boolean): Map<string, string> {
  const rows = new Map<string, string>();
  rows.set('accuracy (all)', pct(o.filter(ok).length, o.length));
  for (const cls of ['human', 'machine', 'fax', 'sit', 'silence']) {
    const c = o.filter((x) => x.label.cls === cls);
    rows.set(`accuracy ${cls}`, pct(c.filter(ok).length, c.length));
  }
  const tagged = o.filter((x) => x.label.expectedReason);
  rows.set('fax/sit reason right', engine ? pct(tagged.filter((x) => ok(x) && x.reason === x.label.expectedReason).length, tagged.length) : 'n/a');
  const humans = o.filter((x) => x.label.cls === 'human');
  rows.set('false machine on humans', pct(humans.filter((x) => x.decision === 'amd_machine_detected').length, humans.length));
  const beeps = beepHits(o);
  rows.set('beep recall', engine ? pct(beeps.found, beeps.total) : 'n/a (no beep detector)');
  rows.set('beep latency p50 from start', engine ? ms(quantile(beeps.latencies, 0.5)) : 'n/a');
  const lat = humanLatencies(o);
  rows.set('human decision after speech p50', ms(quantile(lat, 0.5)));
  rows.set('human decision after speech p90', ms(quantile(lat, 0.9)));
  // the p50 stays under 800 ms only while more than half the people are decided that soon
  rows.set('humans decided within 800 ms', pct(lat.filter((x) => x <= 800).length, humans.length));
  // how soon after the answer (the file's start) a recording is called one: what a dialer waits in detect mode
  const machineAt = machineDecisionTimes(o);
  rows.set('machine decision after answer p50', ms(quantile(machineAt, 0.5)));
  rows.set('machine decision after answer p90', ms(quantile(machineAt, 0.9)));
  const wrongHuman = o.filter((x) => x.label.cls === 'machine' && x.decision === 'amd_human_detected');
  rows.set('machines called human, caught later', engine ? pct(wrongHuman.filter((x) => x.lateMachine).length, wrongHuman.length) : 'n/a');
  rows.set('humans with a late machine event', engine ? pct(humans.filter((x) => x.lateMachine).length, humans.length) : 'n/a');
  rows.set('throughput (audio s / CPU s)', `${Math.round(run.audioMs / Math.max(1e-3, run.cpuMs))}x`);
  return rows;
}

const labels = await generateCorpus();
const files: File[] = labels.map((label) => ({ label, samples: parseWav(readFileSync(join(CACHE_DIR, label.file))).samples }));
const parts = { tune: (o: Outcome[]) => o.filter((x) => x.label.split === 'tune'), heldout: (o: Outcome[]) => o.filter((x) => x.label.split === 'heldout') };
// warm up the JIT before measuring
runEngine(files.slice(0, 10));
const ours = runEngine(files);
const base = runBaseline(files);
const tableRows = [summarize(parts.tune(ours.outcomes), ours, true), summarize(parts.heldout(ours.outcomes), ours, true), summarize(parts.tune(base.outcomes), base, false), summarize(parts.heldout(base.outcomes), base, false)];
const width = Math.max(...[...tableRows[0]!.keys()].map((k) => k.length));
const col = 24;
const count = (split: CorpusLabel['split']) => files.filter((f) => f.label.split === split).length;
process.stdout.write(
  `AMD benchmark on ${files.length} files (${count('tune')} tuning, ${count('heldout')} held out, ${count('stress')} stress), ${(ours.audioMs / 1000).toFixed(0)} s of audio\n\n`,
);
const heads = ['outdial tuning', 'outdial held-out', 'app_amd tuning', 'app_amd held-out'];
process.stdout.write(`${'metric'.padEnd(width)} | ${heads.map((h) => h.padEnd(col)).join(' | ')}\n`);
process.stdout.write(`${'-'.repeat(width)}-|-${heads.map(() => '-'.repeat(col)).join('-|-')}\n`);
for (const k of tableRows[0]!.keys()) process.stdout.write(`${k.padEnd(width)} | ${tableRows.map((r) => (r.get(k) ?? '').padEnd(col)).join(' | ')}\n`);
process.stdout.write(`(app_amd: the Asterisk algorithm with amd.conf defaults, in bench/asterisk-amd)\n`);

// per kind of audio
const kinds = [...new Set(files.filter((f) => f.label.split !== 'stress').map((f) => `${f.label.cls}/${f.label.kind}`))];
process.stdout.write(`\nright per kind of audio  (outdial tuning | outdial held-out | app_amd held-out)\n`);
for (const k of kinds) {
  const of = (o: Outcome[]) => o.filter((x) => `${x.label.cls}/${x.label.kind}` === k);
  const cell = (o: Outcome[]) => pct(of(o).filter(ok).length, of(o).length);
  process.stdout.write(`  ${k.padEnd(28)} ${cell(parts.tune(ours.outcomes)).padEnd(16)} ${cell(parts.heldout(ours.outcomes)).padEnd(16)} ${cell(parts.heldout(base.outcomes))}\n`);
}

// speechEndThresholdMs sweep
const sweep = [300, 400, 500, 600, 700, 800, 1000, 1200];
process.stdout.write(`\nspeechEndThresholdMs sweep (default ${defaultAmdOptions.speechEndThresholdMs} ms): accuracy, humans called machines, human decision p50 after speech\n`);
for (const t of sweep) {
  const r = runEngine(files, { speechEndThresholdMs: t });
  const cells = [parts.tune(r.outcomes), parts.heldout(r.outcomes)].map((o) => `${accuracyAndFalseMachine(o)} / ${ms(quantile(humanLatencies(o), 0.5))}`.padEnd(26));
  process.stdout.write(`  ${String(t).padStart(5)} ms   tuning ${cells[0]}  held-out ${cells[1]}\n`);
}

// thresholdWordCount sweep: fewer words decide recordings sooner, and call more people (over room talk) machines
process.stdout.write(
  `\nthresholdWordCount sweep (default ${defaultAmdOptions.thresholdWordCount}): accuracy, humans called machines, machine decision p50 after answer; stress people called machines\n`,
);
for (const w of [5, 6, 7, 8, 9, 10, 12]) {
  const r = runEngine(files, { thresholdWordCount: w });
  const cells = [parts.tune(r.outcomes), parts.heldout(r.outcomes)].map((o) => `${accuracyAndFalseMachine(o)} / ${ms(quantile(machineDecisionTimes(o), 0.5))}`.padEnd(27));
  const stressed = r.outcomes.filter((x) => x.label.split === 'stress');
  const called = stressed.filter((x) => x.decision === 'amd_machine_detected').length;
  process.stdout.write(`  ${String(w).padStart(5)} words  tuning ${cells[0]}  held-out ${cells[1]}  stress ${called}/${stressed.length}\n`);
}

// people over louder room talk than the corpus has: how far the room-talk rules hold (stress-specs.ts)
const stress = (o: Outcome[]) => o.filter((x) => x.label.split === 'stress');
const levels = [...new Set(stress(ours.outcomes).map((x) => x.label.kind))];
if (levels.length > 0) {
  process.stdout.write(`\nstress part: the tuning part's people over louder room talk (never in the figures above)\n`);
  process.stdout.write(`  ${'kind'.padEnd(12)} ${'files'.padStart(5)}  ${'outdial right'.padEnd(16)} ${'machine'.padStart(7)} ${'at (s)'.padStart(9)} ${'undecided'.padStart(9)} ${'p50'.padStart(8)} ${'<=800 ms'.padStart(8)}   ${'app_amd right'.padEnd(16)} ${'machine'.padStart(7)}\n`);
  for (const k of levels) {
    const of = (o: Outcome[]) => stress(o).filter((x) => x.label.kind === k);
    const mine = of(ours.outcomes);
    const theirs = of(base.outcomes);
    const lat = humanLatencies(mine);
    const machines = (o: Outcome[]) => o.filter((x) => x.decision === 'amd_machine_detected').length;
    const undecided = mine.filter((x) => x.decision !== 'amd_human_detected' && x.decision !== 'amd_machine_detected').length;
    // when people were called machines: how long a room has to talk on before it reads as a greeting
    const machineAt = mine.filter((x) => x.decision === 'amd_machine_detected').map((x) => x.decisionAtMs! / 1000);
    const at = machineAt.length === 0 ? '-' : `${Math.min(...machineAt).toFixed(1)}-${Math.max(...machineAt).toFixed(1)}`;
    process.stdout.write(
      `  ${k.padEnd(12)} ${String(mine.length).padStart(5)}  ${pct(mine.filter(ok).length, mine.length).padEnd(16)} ${String(machines(mine)).padStart(7)} ${at.padStart(9)} ${String(undecided).padStart(9)} ${ms(quantile(lat, 0.5)).padStart(8)} ${String(lat.filter((x) => x <= 800).length).padStart(8)}   ${pct(theirs.filter(ok).length, theirs.length).padEnd(16)} ${String(machines(theirs)).padStart(7)}\n`,
    );
  }
}

const misses = ours.outcomes.filter((x) => !ok(x) && x.label.split !== 'stress');
if (misses.length > 0) {
  process.stdout.write(`\noutdial misses:\n`);
  for (const m of misses) {
    const late = m.lateMachine ? `, then ${m.lateMachine.evidence} at ${m.lateMachine.atMs} ms` : '';
    process.stdout.write(
      `  ${m.label.split.padEnd(7)} ${m.label.id} (${m.label.note}): expected ${m.label.expected}, got ${m.decision ?? 'nothing'} ${m.reason ?? ''} at ${m.decisionAtMs ?? '-'} ms (speech end ${m.label.speechEndMs ?? '-'})${late}\n`,
    );
  }
}
const late = files.flatMap((f) => f.label.beeps).filter((b) => b.startMs >= defaultAmdOptions.toneTimeoutMs).length;
if (late > 0) process.stdout.write(`\n(${late} labelled beeps start after toneTimeoutMs=${defaultAmdOptions.toneTimeoutMs} and are left out of beep recall)\n`);
const missedBeeps = ours.outcomes.filter((x) =>
  x.label.beeps.some((b) => b.startMs < defaultAmdOptions.toneTimeoutMs && !x.tones.some((t) => t >= b.startMs && t <= b.endMs + 200)),
);
if (missedBeeps.length > 0) {
  process.stdout.write(`\nfiles with a missed beep:\n`);
  for (const m of missedBeeps) process.stdout.write(`  ${m.label.split.padEnd(7)} ${m.label.id} (${m.label.note}): beeps ${JSON.stringify(m.label.beeps)} tones at ${JSON.stringify(m.tones)}\n`);
}
