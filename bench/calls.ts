// bench:calls — concurrent answered calls with AMD running on a real daemon (a child process, so its CPU is
// its own), SIPp carriers streaming greetings. Steps up the number of calls until a decision drifts from
// the offline detectFile result for the same audio, and prints the most concurrent AMD calls held with
// every decision identical, and the daemon's CPU time per call-second.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFile, type AmdEvent } from '../src/amd/index.js';
import { dialoutAudiocodes, getCall, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../test/support/daemon.js';
import { e2eAudio } from '../test/support/e2e-audio.js';
import { CALLER, pcmWavOf } from '../test/support/live-call.js';
import { freePort } from '../test/support/ports.js';
import { startSipp, stopAllSipp, type SippRun } from '../test/support/sipp.js';

const STEPS = (process.env.BENCH_CALLS_STEPS ?? '50,100,200,300,500').split(',').map(Number);
const SCENARIO = resolve(dirname(fileURLToPath(import.meta.url)), 'sipp/carrier-stream.xml');
/** Greetings whose AMD runs for seconds (a machine at 3.9 s, no speech at 5 s); the daemon hangs up on both. */
const AUDIOS = ['voicemail', 'silence'] as const;
type Audio = (typeof AUDIOS)[number];
const DECISIONS = new Set(['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout']);
const CLK_TCK = 100;
const CALLS_PER_SIPP = Number(process.env.BENCH_CALLS_PER_SIPP ?? 50);

interface StepResult {
  calls: number;
  answered: number;
  heldAmd: number;
  identical: number;
  maxOffsetDriftMs: number;
  cpuSec: number;
  callSec: number;
  wallSec: number;
  mismatches: string[];
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted from the state field (field 3).
  return Number(fields[11]) + Number(fields[12]);
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

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function carrier(audioPcap: string, calls: number): Promise<SippRun> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const mediaPort = await freePort();
    // SIPp binds the media port and the one two above it, with no fallback.
    if (!(await udpFree(mediaPort + 2))) continue;
    try {
      return await startSipp({
        scenario: SCENARIO,
        calls,
        limit: calls,
        keys: { audio_pcap: audioPcap },
        timeoutSeconds: 120,
        args: ['-mp', String(mediaPort)],
      });
    } catch {
      // The media port pair was taken meanwhile; pick another.
    }
  }
  throw new Error('SIPp carrier could not start');
}

async function step(daemon: SpawnedDaemon, n: number, files: Record<Audio, string>, expected: Record<Audio, AmdEvent>): Promise<StepResult> {
  // Several SIPp processes, each streaming at most CALLS_PER_SIPP greetings (one pcap thread per call).
  const kinds = Array.from({ length: n }, (_, k) => AUDIOS[k % AUDIOS.length]!);
  const groups = new Map<Audio, number[]>();
  kinds.forEach((a, k) => groups.set(a, [...(groups.get(a) ?? []), k]));
  const carrierOf: SippRun[] = new Array(n);
  const carriers: SippRun[] = [];
  for (const [audio, members] of groups) {
    for (let from = 0; from < members.length; from += CALLS_PER_SIPP) {
      const chunk = members.slice(from, from + CALLS_PER_SIPP);
      const run = await carrier(files[audio], chunk.length);
      carriers.push(run);
      for (const k of chunk) carrierOf[k] = run;
    }
  }
  // Interleaved, so both greetings stream at once.
  const plan = kinds.map((audio, k) => ({ audio, target: `sip:${audio}${k}@${carrierOf[k]!.address}` }));

  const cpu0 = cpuTicks(daemon.child.pid!);
  const wall0 = Date.now();
  const placed = await mapLimit(plan, 50, async (p) => {
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: p.target, caller: CALLER, machineDetection: 'disconnect' });
    return { ...p, conversationId: res.status === 200 ? (res.json.conversationId as string) : undefined, error: res.status === 200 ? undefined : JSON.stringify(res.json) };
  });
  const records = new Map<string, any>();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const pending = placed.filter((p) => p.conversationId && !records.has(p.conversationId));
    await mapLimit(pending, 50, async (p) => {
      const r = await getCall(daemon.url, p.conversationId!);
      if (r && (r.status === 'completed' || r.status === 'failed')) records.set(p.conversationId!, r);
    });
    if (records.size === placed.filter((p) => p.conversationId).length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpuSec = (cpuTicks(daemon.child.pid!) - cpu0) / CLK_TCK;
  const wallSec = (Date.now() - wall0) / 1000;
  await Promise.all(carriers.map((c) => c.stop()));

  const mismatches: string[] = [];
  const intervals: [number, number][] = [];
  let identical = 0;
  let answered = 0;
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
    if (live) intervals.push([start, start + live.atMs]);
    if (live && live.type === want.type && live.reason === want.reason) {
      identical++;
      maxOffsetDriftMs = Math.max(maxOffsetDriftMs, Math.abs(live.atMs - want.atMs));
    } else {
      mismatches.push(
        `${p.target}: live ${live ? `${live.type}/${live.reason ?? ''}@${live.atMs}` : 'no decision'} vs offline ${want.type}/${want.reason ?? ''}@${want.atMs} (${String(r.media?.packetsReceived ?? 0)} RTP packets received)`,
      );
    }
  }
  return { calls: n, answered, heldAmd: maxOverlap(intervals), identical, maxOffsetDriftMs, cpuSec, callSec, wallSec, mismatches };
}

async function main(): Promise<void> {
  const audio = await e2eAudio();
  const files = { voicemail: audio.files.voicemail.pcap, silence: audio.files.silence.pcap };
  const expected = Object.fromEntries(
    AUDIOS.map((a) => {
      const d = firstDecision(detectFile(pcmWavOf(audio.files[a].ulaw)));
      if (!d) throw new Error(`offline AMD made no decision on ${a}`);
      return [a, d];
    }),
  ) as Record<Audio, AmdEvent>;
  const config = await testConfigObject({ carrierPort: 5, botPort: 7 });
  const rtpBase = 30000 + 2 * Math.floor(Math.random() * 2000);
  Object.assign(config, {
    media: { mode: 'direct', rtp: { host: '127.0.0.1', portMin: rtpBase, portMax: rtpBase + 1999 } },
    calls: { onUndecided: 'hangup', shutdownGraceMs: 1000, botAnswerTimeoutMs: 5000 },
    log: { level: 'warn' },
  });
  const daemon = await spawnDaemon(config);
  const cpus = (await import('node:os')).cpus();
  console.log(`bench:calls — daemon pid ${daemon.child.pid} (node ${process.version}), ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}`);
  console.log(`greetings: ${AUDIOS.map((a) => `${a} (offline: ${expected[a].type}${'reason' in expected[a] ? `/${String(expected[a].reason)}` : ''} at ${expected[a].atMs} ms)`).join(', ')}; machineDetection disconnect`);
  console.log('');
  console.log('calls  answered  held-AMD  identical  max-offset-drift  daemon-cpu  call-seconds  cpu-ms/call-s  wall');
  let best = 0;
  let bestCpu: number | undefined;
  try {
    for (const n of STEPS) {
      const r = await step(daemon, n, files, expected);
      const cpuPerCallSec = r.callSec > 0 ? (r.cpuSec * 1000) / r.callSec : NaN;
      console.log(
        `${String(r.calls).padStart(5)}  ${String(r.answered).padStart(8)}  ${String(r.heldAmd).padStart(8)}  ${String(r.identical).padStart(9)}  ${`${r.maxOffsetDriftMs} ms`.padStart(16)}  ${`${r.cpuSec.toFixed(2)} s`.padStart(10)}  ${r.callSec.toFixed(0).padStart(12)}  ${cpuPerCallSec.toFixed(2).padStart(13)}  ${r.wallSec.toFixed(1)} s`,
      );
      if (r.mismatches.length > 0 || r.identical !== r.calls) {
        console.log(`  drift at ${n} calls (${r.mismatches.length}): ${r.mismatches.slice(0, 5).join('; ')}`);
        break;
      }
      best = r.heldAmd;
      bestCpu = cpuPerCallSec;
    }
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    await stopAllSipp();
  }
  console.log('');
  console.log(`most concurrent AMD calls held with every decision identical to detectFile: ${best}`);
  console.log(`daemon CPU per call-second at that step: ${bestCpu === undefined ? 'n/a' : `${bestCpu.toFixed(2)} ms`}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
