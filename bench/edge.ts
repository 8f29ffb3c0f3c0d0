/**
 * `npm run bench:edge [-- --seconds N --steps 50,100,...] [--hold MS] [--edge drachtio]`: calls per second
 * through drachtio-srf + the embedded edge against a SIPp UAS (180, 200 + SDP, ACK, then our BYE after a
 * short hold). The edge and drachtio-srf share this process, as they do in the daemon; SIPp runs beside them.
 * Prints per step the offered and achieved rate, failed calls and p50/p99 INVITE→200 latency, then the
 * highest rate held for the whole step with zero failed calls.
 *
 * `--edge drachtio` runs every step twice, through the embedded edge and through a real drachtio-server
 * (the binary in DRACHTIO_BIN), each in a process of its own, and prints them side by side with the CPU
 * each edge process spent per call and drachtio-srf's share in this process.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Srf from 'drachtio-srf';
import { EmbeddedEdge } from '../src/edge/index.js';
import { buildOffer } from '../src/media/index.js';
import { freePort } from '../test/support/ports.js';
import { startSipEdgeServer, type EdgeKind, type SipEdgeServer } from '../test/support/sip-edge-server.js';

interface Options {
  seconds: number;
  steps: number[];
  holdMs: number;
  /** Also run every step through a real drachtio-server, side by side with the embedded edge. */
  drachtio: boolean;
}

interface StepResult {
  offered: number;
  placed: number;
  answered: number;
  failed: number;
  achieved: number;
  p50: number;
  p99: number;
  reasons: Map<string, number>;
}

// The product's own SDP offer, so the edge carries what a real dialout sends.
const offer = buildOffer({ address: '127.0.0.1', port: 40000, codecs: ['PCMU'] });

function parseOptions(argv: string[]): Options {
  const o: Options = { seconds: 30, steps: [50, 100, 150, 200, 250, 300, 400, 500, 600], holdMs: 500, drachtio: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--seconds' && v) o.seconds = Number(v);
    else if (a === '--steps' && v) o.steps = v.split(',').map(Number);
    else if (a === '--hold' && v) o.holdMs = Number(v);
    else if (a === '--edge' && (v === 'drachtio' || v === 'embedded')) o.drachtio = v === 'drachtio';
    else continue;
    i++;
  }
  if (!(o.seconds > 0) || o.steps.some((s) => !(s > 0)) || !(o.holdMs >= 0)) {
    throw new Error('usage: bench/edge.ts [--seconds N] [--steps 50,100,...] [--hold MS] [--edge drachtio]');
  }
  if (o.drachtio && !process.env.DRACHTIO_BIN) throw new Error('--edge drachtio needs DRACHTIO_BIN naming a drachtio-server binary');
  return o;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Clock ticks per second of /proc CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSippUas(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
  const child = spawn(
    'sipp',
    // SIPp's own 64 KB socket buffers overflow at a few hundred calls per second; give it what the edge has.
    ['-sf', resolve('test/sipp/uas-answer.xml'), '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-buff_size', '4194304'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  // SIPp holds its port within a moment; the first step's ramp would absorb a late start anyway.
  await sleep(500);
  if (child.exitCode !== null) throw new Error(`SIPp exited with ${child.exitCode}`);
  return child;
}

async function runStep(srf: Srf, target: string, rate: number, o: Options): Promise<StepResult> {
  const latencies: number[] = [];
  const reasons = new Map<string, number>();
  let placed = 0;
  let answered = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  const fail = (why: string) => {
    failed++;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  };
  const place = () => {
    placed++;
    const t0 = performance.now();
    const call = srf
      .createUAC(target, { localSdp: offer })
      .then(
        async (dialog) => {
          latencies.push(performance.now() - t0);
          answered++;
          await sleep(o.holdMs);
          await dialog.destroy();
        },
        (err: { status?: number; message?: string }) => fail(err.status ? `status ${err.status}` : String(err.message)),
      )
      .catch((err: Error) => fail(`BYE: ${err.message}`));
    pending.add(call);
    void call.finally(() => pending.delete(call));
  };
  const start = performance.now();
  const end = start + o.seconds * 1000;
  while (performance.now() < end) {
    // Calls due by now, so timer jitter does not lower the offered rate.
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (placed < due) place();
    await sleep(5);
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.race([Promise.all([...pending]), sleep(40_000)]);
  if (pending.size) fail(`${pending.size} still unsettled`);
  latencies.sort((a, b) => a - b);
  return {
    offered: rate,
    placed,
    answered,
    failed,
    achieved: answered / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    reasons,
  };
}

async function connectSrf(wire: { host: string; port: number; secret: string }): Promise<Srf> {
  const srf = new Srf();
  await new Promise<void>((res, rej) => {
    // connect() returns nothing at runtime (its typed promise never comes): the outcome is an event.
    void srf.connect({ host: wire.host, port: wire.port, secret: wire.secret });
    srf.once('connect', (err: Error | undefined) => (err ? rej(err) : res()));
    srf.once('error', rej);
  });
  return srf;
}

function stepLine(r: StepResult): string {
  const reasons = [...r.reasons].map(([k, v]) => `${k}: ${v}`).join(', ');
  return (
    `${String(r.offered).padStart(9)}  ${r.achieved.toFixed(1).padStart(10)}  ${String(r.placed).padStart(6)}  ` +
    `${String(r.failed).padStart(6)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}` +
    (reasons ? `  (${reasons})` : '')
  );
}

/** The embedded edge and drachtio-srf in this process, as in the daemon. */
async function benchInProcess(o: Options, target: string): Promise<number | undefined> {
  const edge = new EmbeddedEdge({ sip: { host: '127.0.0.1', port: 0 } });
  const { wire } = await edge.start();
  const srf = await connectSrf(wire);
  console.log('offered/s  achieved/s  placed  failed  p50 ms  p99 ms');
  let best: number | undefined;
  try {
    for (const rate of o.steps) {
      const r = await runStep(srf, target, rate, o);
      console.log(stepLine(r));
      if (r.failed === 0 && r.answered === r.placed) best = rate;
      else break;
      await sleep(1000);
    }
  } finally {
    srf.disconnect();
    await edge.close();
  }
  return best;
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Each step through the embedded edge and a drachtio-server, each in its own process, side by side. */
async function benchSideBySide(o: Options, target: string): Promise<Map<EdgeKind, number | undefined>> {
  const kinds: EdgeKind[] = ['embedded', 'drachtio'];
  const edges = new Map<EdgeKind, { server: SipEdgeServer; srf: Srf }>();
  const best = new Map<EdgeKind, number | undefined>();
  const stopped = new Set<EdgeKind>();
  try {
    for (const kind of kinds) {
      const server = await startSipEdgeServer(kind);
      edges.set(kind, { server, srf: await connectSrf(server.control) });
    }
    console.log('edge      offered/s  achieved/s  placed  failed  p50 ms  p99 ms  edge-cpu ms/call  srf-cpu ms/call');
    for (const rate of o.steps) {
      for (const kind of kinds) {
        if (stopped.has(kind)) continue;
        const { server, srf } = edges.get(kind)!;
        const edgeCpu0 = processCpuSeconds(server.pid());
        const ownCpu0 = ownCpuSeconds();
        const r = await runStep(srf, target, rate, o);
        const edgeMs = ((processCpuSeconds(server.pid()) - edgeCpu0) * 1000) / Math.max(1, r.placed);
        const srfMs = ((ownCpuSeconds() - ownCpu0) * 1000) / Math.max(1, r.placed);
        const line = stepLine(r);
        const cut = line.indexOf('  (');
        const main = cut < 0 ? line : line.slice(0, cut);
        console.log(`${kind.padEnd(8)}  ${main}  ${edgeMs.toFixed(3).padStart(16)}  ${srfMs.toFixed(3).padStart(15)}${cut < 0 ? '' : line.slice(cut)}`);
        if (r.failed === 0 && r.answered === r.placed) best.set(kind, rate);
        else stopped.add(kind);
        await sleep(1000);
      }
      if (stopped.size === kinds.length) break;
    }
  } finally {
    for (const { server, srf } of edges.values()) {
      srf.disconnect();
      await server.stop();
    }
  }
  return best;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const sippPort = await freePort();
  const sipp = await startSippUas(sippPort);
  const target = `sip:bench@127.0.0.1:${sippPort}`;
  console.log(`edge bench: ${o.seconds} s per step, hold ${o.holdMs} ms, SIPp UAS on ${sippPort}`);
  try {
    if (!o.drachtio) {
      const best = await benchInProcess(o, target);
      console.log(best === undefined ? 'no step held with zero failed calls' : `highest rate held for ${o.seconds} s with zero failed calls: ${best} calls/s`);
      return;
    }
    const best = await benchSideBySide(o, target);
    for (const [kind, rate] of best) {
      console.log(`${kind}: ${rate === undefined ? 'no step held with zero failed calls' : `highest rate held for ${o.seconds} s with zero failed calls: ${rate} calls/s`}`);
    }
  } finally {
    sipp.kill('SIGKILL');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
