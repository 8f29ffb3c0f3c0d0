// bench:calls — concurrent answered calls with AMD running on a real daemon (a child process, so its CPU is
// its own), SIPp carriers streaming greetings. Steps up the number of calls until a decision drifts from
// the offline detectFile result for the same audio, and prints the most concurrent AMD calls held with
// every decision identical, and the daemon's CPU time per call-second.
//
// `--media freeswitch` runs the same steps in media.mode freeswitch after direct mode, in the same run: the
// daemon behind a real drachtio-server (DRACHTIO_BIN) with every call anchored at a real FreeSWITCH
// (FREESWITCH_BIN, run with docker/freeswitch/), and prints FreeSWITCH's CPU per call-second (from
// /proc/<pid>/stat) beside the daemon's. Without those binaries it says what is missing, runs direct mode,
// and exits 2.
//
// The load: SIPp carriers with rtp_stream (one media socket and a few playback threads per SIPp process),
// at most BENCH_CALLS_PER_SIPP calls each, a step's calls placed evenly over BENCH_CALLS_SPREAD_MS. A call that received
// no RTP at all is the load generator failing, not the engine: it is counted apart (no-rtp) and ends the run.
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFile, type AmdEvent } from '../src/amd/index.js';
import { dialoutAudiocodes, getCall, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../test/support/daemon.js';
import { e2eAudio } from '../test/support/e2e-audio.js';
import { startFreeswitch } from '../test/support/freeswitch-server.js';
import { startSipEdgeServer } from '../test/support/sip-edge-server.js';
import { CALLER, pcmWavOf } from '../test/support/live-call.js';
import { freePort } from '../test/support/ports.js';
import { startSipp, stopAllSipp, type SippResult, type SippRun } from '../test/support/sipp.js';

const STEPS = (process.env.BENCH_CALLS_STEPS ?? '50,100,200,300,500,700,1000').split(',').map(Number);
const SCENARIO = resolve(dirname(fileURLToPath(import.meta.url)), 'sipp/carrier-stream.xml');
/** Greetings whose AMD runs for seconds (a machine at 3.9 s, no speech at 5 s); the daemon hangs up on both. */
const AUDIOS = ['voicemail', 'silence'] as const;
type Audio = (typeof AUDIOS)[number];
const DECISIONS = new Set(['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout']);
const CLK_TCK = 100;
const CALLS_PER_SIPP = Number(process.env.BENCH_CALLS_PER_SIPP ?? 50);
/**
 * A step's calls start evenly over this long: the answer is each call's AMD clock zero, so spreading the starts
 * changes no decision, and under the first decision (3.9 s) every call of the step is still held at once.
 */
const SPREAD_MS = Number(process.env.BENCH_CALLS_SPREAD_MS ?? 2500);
/** Calls per SIPp rtp_stream playback thread (-rtp_threadtasks). */
const RTP_TASKS = Number(process.env.BENCH_CALLS_RTP_TASKS ?? 25);
/** The decisions come by 5 s of audio; records are read after that, so polling does not load the daemon meanwhile. */
const FIRST_POLL_MS = 5500;

type MediaMode = 'direct' | 'freeswitch';

/** A process beside the daemon whose CPU time a step measures (FreeSWITCH, drachtio-server). */
interface Measured {
  name: string;
  pid: number;
}

interface Carrier {
  run: SippRun;
  audio: Audio;
  calls: number;
}

interface StepResult {
  calls: number;
  answered: number;
  heldAmd: number;
  identical: number;
  /** Answered calls that received no RTP packet: the load generator failed them. */
  noRtp: number;
  maxOffsetDriftMs: number;
  cpuSec: number;
  callSec: number;
  wallSec: number;
  mismatches: string[];
  loadFailures: string[];
  lagP99Ms: number;
  lagMaxMs: number;
  sippCpuSec: number;
  sippProcesses: number;
  sippTrouble: string[];
  hostBusyPct: number;
  /** CPU seconds of each measured process over the step. */
  beside: { name: string; cpuSec: number }[];
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted from the state field (field 3).
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and total jiffies of the whole host (all cores). */
function hostTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - cpu[4]!, total };
}

/** prom-client's event-loop monitor ticks every 10 ms and records the whole interval between ticks. */
const LAG_TIMER_MS = 10;

/** The daemon's event-loop delay since the previous scrape (prom-client resets its histogram on each). */
async function eventLoopLag(url: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^outdial_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000 - LAG_TIMER_MS;
  return { p99Ms: value('p99'), maxMs: value('max') };
}

function firstDecision(events: { type: string; atMs: number; reason?: string }[]): { type: string; atMs: number; reason?: string } | undefined {
  return events.find((e) => DECISIONS.has(e.type));
}

/** The most intervals open at one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]);
  points.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d!;
    max = Math.max(max, open);
  }
  return max;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function carrier(audioUlaw: string, calls: number): Promise<SippRun> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const mediaPort = await freePort();
    // SIPp binds the media port and the one two above it, with no fallback.
    if (!(await udpFree(mediaPort + 2))) continue;
    try {
      return await startSipp({
        scenario: SCENARIO,
        calls,
        limit: calls,
        // Play the greeting once, as PCMU (payload type 0, 20 ms packets).
        keys: { audio_stream: `${audioUlaw},1,0` },
        timeoutSeconds: 120,
        args: ['-mp', String(mediaPort), '-rtp_threadtasks', String(RTP_TASKS)],
      });
    } catch {
      // The media port pair was taken meanwhile; pick another.
    }
  }
  throw new Error('SIPp carrier could not start');
}

/** What went wrong in a carrier's run, if anything: its exit status and the events SIPp logged. */
function sippTrouble(c: Carrier, r: SippResult): string | undefined {
  const events = r.errors
    .split('\n')
    .map((l) => l.replace(/^\S+\t\S+\t\S+: /, '').trim())
    .filter((l) => l && !l.startsWith('The following events occurred'));
  if (r.exitCode === 0 && events.length === 0) return undefined;
  return `SIPp ${c.run.address} (${c.audio}, ${c.calls} calls) exit ${String(r.exitCode)}${events.length ? `: ${events.length} events, first "${events[0]}"` : ''}${r.stderr.includes('rror') ? `; stderr ${r.stderr.trim().slice(-200)}` : ''}`;
}

async function step(daemon: SpawnedDaemon, n: number, files: Record<Audio, string>, expected: Record<Audio, AmdEvent>, measured: Measured[]): Promise<StepResult> {
  // Several SIPp processes, each streaming at most CALLS_PER_SIPP greetings.
  const kinds = Array.from({ length: n }, (_, k) => AUDIOS[k % AUDIOS.length]!);
  const groups = new Map<Audio, number[]>();
  kinds.forEach((a, k) => groups.set(a, [...(groups.get(a) ?? []), k]));
  const carrierOf: Carrier[] = new Array(n);
  const carriers: Carrier[] = [];
  for (const [audio, members] of groups) {
    for (let from = 0; from < members.length; from += CALLS_PER_SIPP) {
      const chunk = members.slice(from, from + CALLS_PER_SIPP);
      const c: Carrier = { run: await carrier(files[audio], chunk.length), audio, calls: chunk.length };
      carriers.push(c);
      for (const k of chunk) carrierOf[k] = c;
    }
  }
  // Interleaved, so both greetings stream at once.
  const plan = kinds.map((audio, k) => ({ audio, carrier: carrierOf[k]!, target: `sip:${audio}${k}@${carrierOf[k]!.run.address}` }));

  // SIPp's CPU time, sampled while it runs (a process's /proc entry goes when it exits).
  const sippTicks = new Map<number, number>();
  const sampleSipp = () => {
    for (const c of carriers) {
      const pid = c.run.pid;
      if (pid === undefined) continue;
      try {
        sippTicks.set(pid, cpuTicks(pid));
      } catch {
        // Exited: keep its last sample.
      }
    }
  };
  const sampler = setInterval(sampleSipp, 250);

  await eventLoopLag(daemon.url);
  const host0 = hostTicks();
  const cpu0 = cpuTicks(daemon.child.pid!);
  const beside0 = measured.map((m) => cpuTicks(m.pid));
  const wall0 = Date.now();
  const placed = await Promise.all(
    plan.map(async (p, i) => {
      await sleep(wall0 + (i * SPREAD_MS) / n - Date.now());
      const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: p.target, caller: CALLER, machineDetection: 'disconnect' });
      return { ...p, conversationId: res.status === 200 ? (res.json.conversationId as string) : undefined, error: res.status === 200 ? undefined : JSON.stringify(res.json) };
    }),
  );
  await sleep(FIRST_POLL_MS);
  const records = new Map<string, any>();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const pending = placed.filter((p) => p.conversationId && !records.has(p.conversationId));
    await mapLimit(pending, 20, async (p) => {
      const r = await getCall(daemon.url, p.conversationId!);
      if (r && (r.status === 'completed' || r.status === 'failed')) records.set(p.conversationId!, r);
    });
    if (records.size === placed.filter((p) => p.conversationId).length || Date.now() > deadline) break;
    await sleep(1000);
  }
  const cpuSec = (cpuTicks(daemon.child.pid!) - cpu0) / CLK_TCK;
  const beside = measured.map((m, i) => ({ name: m.name, cpuSec: (cpuTicks(m.pid) - beside0[i]!) / CLK_TCK }));
  const wallSec = (Date.now() - wall0) / 1000;
  const host1 = hostTicks();
  const lag = await eventLoopLag(daemon.url);
  // Each carrier exits by itself once its calls have ended (-m); a carrier still running is stopped.
  const results = await Promise.all(
    carriers.map(async (c) => {
      const exited = await Promise.race([c.run.done.then(() => true), sleep(5000).then(() => false)]);
      sampleSipp();
      return exited ? c.run.done : c.run.stop();
    }),
  );
  clearInterval(sampler);
  sampleSipp();
  const sippCpuSec = [...sippTicks.values()].reduce((a, b) => a + b, 0) / CLK_TCK;
  const trouble = carriers.map((c, i) => sippTrouble(c, results[i]!)).filter((t): t is string => t !== undefined);

  const mismatches: string[] = [];
  const loadFailures: string[] = [];
  const intervals: [number, number][] = [];
  let identical = 0;
  let answered = 0;
  let noRtp = 0;
  let callSec = 0;
  let maxOffsetDriftMs = 0;
  for (const p of placed) {
    const r = p.conversationId ? records.get(p.conversationId) : undefined;
    if (!r) {
      mismatches.push(`${p.target}: ${p.error ?? 'no final record'}`);
      continue;
    }
    if (r.answeredAt === undefined) {
      mismatches.push(`${p.target}: ${r.status} ${r.reasonCode} ${r.reason}`);
      continue;
    }
    answered++;
    const start = Date.parse(r.answeredAt);
    callSec += (Date.parse(r.endedAt) - start) / 1000;
    const live = firstDecision(r.amdEvents);
    const want = expected[p.audio] as { type: string; atMs: number; reason?: string };
    const packets = Number(r.media?.packetsReceived ?? 0);
    const rtp = `${packets} RTP packets received, ${Number(r.media?.packetsLost ?? 0)} lost, ${Number(r.media?.audioMs ?? 0)} ms of audio, ${Number(r.media?.gapMs ?? 0)} ms declared gap`;
    if (packets === 0) {
      noRtp++;
      loadFailures.push(`${p.target}: no RTP received (SIPp ${p.carrier.run.address}); live ${live ? live.type : 'no decision'}`);
      continue;
    }
    if (live) intervals.push([start, start + live.atMs]);
    if (live && live.type === want.type && live.reason === want.reason) {
      const drift = Math.abs(live.atMs - want.atMs);
      maxOffsetDriftMs = Math.max(maxOffsetDriftMs, drift);
      // the live timeline must be the file's: a decision more than MAX_DRIFT_MS away is heard differently
      if (drift <= MAX_DRIFT_MS) identical++;
      else mismatches.push(`${p.target}: live ${live.type}@${live.atMs} vs offline @${want.atMs}: ${drift} ms apart (${rtp})`);
    } else {
      mismatches.push(
        `${p.target}: live ${live ? `${live.type}/${live.reason ?? ''}@${live.atMs}` : 'no decision'} vs offline ${want.type}/${want.reason ?? ''}@${want.atMs} (${rtp})`,
      );
    }
  }
  return {
    calls: n,
    answered,
    heldAmd: maxOverlap(intervals),
    identical,
    noRtp,
    maxOffsetDriftMs,
    cpuSec,
    callSec,
    wallSec,
    mismatches,
    loadFailures,
    lagP99Ms: lag.p99Ms,
    lagMaxMs: lag.maxMs,
    sippCpuSec,
    sippProcesses: carriers.length,
    sippTrouble: trouble,
    hostBusyPct: (100 * (host1.busy - host0.busy)) / Math.max(1, host1.total - host0.total),
    beside,
  };
}

/** A step fails when any decision's offset lies further than this from the offline one. */
const MAX_DRIFT_MS = 100;

/** The media modes to run: direct always; freeswitch too with `--media freeswitch`. */
function mediaModes(argv: string[]): MediaMode[] {
  const k = argv.findIndex((a) => a === '--media' || a.startsWith('--media='));
  if (k < 0) return ['direct'];
  const value = argv[k]!.includes('=') ? argv[k]!.slice('--media='.length) : argv[k + 1];
  if (value === 'direct') return ['direct'];
  if (value === 'freeswitch') return ['direct', 'freeswitch'];
  throw new Error(`--media must be direct or freeswitch, got ${value === undefined ? 'nothing' : `'${value}'`}`);
}

/** What freeswitch mode needs and is not there, as test:stack words it. */
function freeswitchMissing(): string[] {
  const missing: string[] = [];
  for (const [name, what] of [
    ['DRACHTIO_BIN', 'a drachtio-server binary (v0.9.x)'],
    ['FREESWITCH_BIN', 'a FreeSWITCH binary (1.10.x)'],
  ] as const) {
    const value = process.env[name];
    if (!value) {
      missing.push(`${name} is not set: it must name ${what}`);
      continue;
    }
    try {
      accessSync(value, constants.X_OK);
    } catch {
      missing.push(`${name}=${value} is not an executable file: it must name ${what}`);
    }
  }
  return missing;
}

/** Waits until the daemon's SIP edge is connected and every media server is up (its /healthz). */
async function ready(daemon: SpawnedDaemon): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const health = (await (await fetch(`${daemon.url}/healthz`)).json()) as { sip: { connected: boolean }; freeswitch?: { up: boolean }[] };
    if (health.sip.connected && (health.freeswitch ?? []).every((s) => s.up)) return;
    if (Date.now() > deadline) throw new Error(`the daemon was not ready within 30 s: ${JSON.stringify(health)}\n${daemon.output().slice(-2000)}`);
    await sleep(200);
  }
}

interface ModeResult {
  best: number;
  bestCpu: number | undefined;
  bestBeside: { name: string; msPerCallSec: number }[];
  loadFailed: boolean;
}

async function runMode(mode: MediaMode, files: Record<Audio, string>, expected: Record<Audio, AmdEvent>): Promise<ModeResult> {
  const config = await testConfigObject({ carrierPort: 5, botPort: 7 });
  // Above freePort()'s range (20000–38999), where the SIPp carriers take their SIP and media ports.
  const rtpBase = 40000 + 2 * Math.floor(Math.random() * 2500);
  const rtp = { host: '127.0.0.1', portMin: rtpBase, portMax: rtpBase + 1999 };
  Object.assign(config, {
    media: { mode: 'direct', rtp },
    calls: { onUndecided: 'hangup', shutdownGraceMs: 1000, botAnswerTimeoutMs: 5000 },
    log: { level: 'warn' },
  });
  const measured: Measured[] = [];
  const stops: (() => Promise<void>)[] = [];
  if (mode === 'freeswitch') {
    const drachtio = await startSipEdgeServer('drachtio');
    stops.push(() => drachtio.stop());
    // Two channels per call (the callee's and the one eavesdropping on it), two ports each.
    const fs = await startFreeswitch({ rtpPorts: 4 * Math.max(...STEPS) + 400 });
    stops.push(() => fs.stop());
    const fsPid = fs.pid();
    if (fsPid === undefined) throw new Error('the FreeSWITCH pid is unknown');
    measured.push({ name: 'FreeSWITCH', pid: fsPid }, { name: 'drachtio-server', pid: drachtio.pid() });
    Object.assign(config, {
      sip: { edge: 'drachtio', drachtio: drachtio.control },
      media: { mode: 'freeswitch', freeswitch: [fs.esl], rtp },
    });
  }
  const daemon = await spawnDaemon(config);
  const result: ModeResult = { best: 0, bestCpu: undefined, bestBeside: [], loadFailed: false };
  try {
    await ready(daemon);
    console.log('');
    console.log(
      mode === 'direct'
        ? 'media.mode direct: RTP ends on the daemon\'s own sockets (embedded SIP edge)'
        : `media.mode freeswitch: calls anchored at FreeSWITCH pid ${measured[0]!.pid} through drachtio-fsmrf, SIP through drachtio-server pid ${measured[1]!.pid}`,
    );
    console.log(`calls  answered  held-AMD  identical  no-rtp  max-offset-drift  daemon-cpu  call-seconds  cpu-ms/call-s  wall${mode === 'freeswitch' ? '    fs-cpu  fs-cpu-ms/call-s' : ''}`);
    for (const n of STEPS) {
      const r = await step(daemon, n, files, expected, measured);
      const cpuPerCallSec = r.callSec > 0 ? (r.cpuSec * 1000) / r.callSec : NaN;
      const fs = r.beside.find((b) => b.name === 'FreeSWITCH');
      console.log(
        `${String(r.calls).padStart(5)}  ${String(r.answered).padStart(8)}  ${String(r.heldAmd).padStart(8)}  ${String(r.identical).padStart(9)}  ${String(r.noRtp).padStart(6)}  ${`${r.maxOffsetDriftMs} ms`.padStart(16)}  ${`${r.cpuSec.toFixed(2)} s`.padStart(10)}  ${r.callSec.toFixed(0).padStart(12)}  ${cpuPerCallSec.toFixed(2).padStart(13)}  ${r.wallSec.toFixed(1)} s` +
          (fs ? `${' '.repeat(Math.max(0, 4 - r.wallSec.toFixed(1).length))}  ${`${fs.cpuSec.toFixed(2)} s`.padStart(8)}  ${(r.callSec > 0 ? (fs.cpuSec * 1000) / r.callSec : NaN).toFixed(2).padStart(16)}` : ''),
      );
      console.log(
        `       daemon ${((100 * r.cpuSec) / r.wallSec).toFixed(0)}% of a core, event-loop lag beyond its 10 ms timer p99 ${r.lagP99Ms.toFixed(1)} ms, max ${r.lagMaxMs.toFixed(1)} ms; ` +
          r.beside.map((b) => `${b.name} ${((100 * b.cpuSec) / r.wallSec).toFixed(0)}% of a core; `).join('') +
          `${r.sippProcesses} SIPp ${r.sippCpuSec.toFixed(2)} s CPU, ${r.sippTrouble.length === 0 ? 'all exited 0' : `${r.sippTrouble.length} in trouble`}; host ${r.hostBusyPct.toFixed(0)}% busy`,
      );
      for (const t of r.sippTrouble.slice(0, 5)) console.log(`  ${t}`);
      if (r.noRtp > 0) {
        console.log(`  load generator failed at ${n} calls: ${r.noRtp} answered calls received no RTP: ${r.loadFailures.slice(0, 5).join('; ')}`);
        result.loadFailed = true;
      }
      if (r.mismatches.length > 0) console.log(`  drift at ${n} calls (${r.mismatches.length}): ${r.mismatches.slice(0, 5).join('; ')}`);
      if (r.answered < r.calls) {
        // Why calls were not answered, by reason (the record's reasonCode and reason).
        const why = new Map<string, number>();
        for (const m of r.mismatches) if (!m.includes(' vs offline ')) why.set(m.replace(/^\S+: /, ''), (why.get(m.replace(/^\S+: /, '')) ?? 0) + 1);
        console.log(`  not answered (${r.calls - r.answered}): ${[...why].map(([k, v]) => `${v} × ${k}`).join('; ')}`);
      }
      if (result.loadFailed || r.mismatches.length > 0 || r.identical !== r.calls) break;
      result.best = r.heldAmd;
      result.bestCpu = cpuPerCallSec;
      result.bestBeside = r.beside.map((b) => ({ name: b.name, msPerCallSec: (b.cpuSec * 1000) / r.callSec }));
    }
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    await stopAllSipp();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
  return result;
}

async function main(): Promise<void> {
  const modes = mediaModes(process.argv.slice(2));
  const missing = modes.includes('freeswitch') ? freeswitchMissing() : [];
  for (const m of missing) console.log(`bench:calls --media freeswitch: ${m}; freeswitch mode will not run, direct mode does`);
  const audio = await e2eAudio();
  const files = { voicemail: audio.files.voicemail.ulaw, silence: audio.files.silence.ulaw };
  const expected = Object.fromEntries(
    AUDIOS.map((a) => {
      const d = firstDecision(detectFile(pcmWavOf(audio.files[a].ulaw)));
      if (!d) throw new Error(`offline AMD made no decision on ${a}`);
      return [a, d];
    }),
  ) as Record<Audio, AmdEvent>;
  const cores = cpus();
  console.log(`bench:calls — node ${process.version}, ${cores.length} × ${cores[0]?.model ?? 'cpu'}`);
  console.log(`greetings: ${AUDIOS.map((a) => `${a} (offline: ${expected[a].type}${'reason' in expected[a] ? `/${String(expected[a].reason)}` : ''} at ${expected[a].atMs} ms)`).join(', ')}; machineDetection disconnect`);
  console.log(`load: SIPp rtp_stream, at most ${CALLS_PER_SIPP} calls per SIPp process, ${RTP_TASKS} per playback thread; a step's calls start over ${SPREAD_MS} ms`);
  const results: [MediaMode, ModeResult][] = [];
  for (const mode of modes) {
    if (mode === 'freeswitch' && missing.length > 0) continue;
    results.push([mode, await runMode(mode, files, expected)]);
  }
  console.log('');
  for (const [mode, r] of results) {
    console.log(`${mode}: most concurrent AMD calls held with every decision identical to detectFile: ${r.best}`);
    console.log(
      `${mode}: daemon CPU per call-second at that step: ${r.bestCpu === undefined ? 'n/a' : `${r.bestCpu.toFixed(2)} ms`}` +
        r.bestBeside.map((b) => `; ${b.name} ${b.msPerCallSec.toFixed(2)} ms`).join(''),
    );
    if (r.loadFailed) console.log(`${mode}: the run stopped on a load-generator failure (calls without RTP), not on a drifted decision`);
  }
  if (missing.length > 0) {
    console.log(`freeswitch mode did not run: ${missing.join('; ')}`);
    process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
