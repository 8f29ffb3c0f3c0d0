import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { explainOnFailure, tailLines } from './diagnostics.js';
import { freePort } from './ports.js';
import { readSippMessages } from './sipp-trace.js';

export interface SippOptions {
  /** Scenario file; a bare name is looked up in test/sipp/. */
  scenario: string;
  /** Where SIPp sends its first request (UAC scenarios), e.g. "127.0.0.1:5060". */
  remote?: string;
  /** Local SIP port; a free one is picked when absent. */
  port?: number;
  /** -s: the user part of the Request-URI. */
  service?: string;
  /** -m: calls to place or accept before exiting (default 1). */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: simultaneous calls limit. */
  limit?: number;
  /** -key name value, available as [name] in the scenario. */
  keys?: Record<string, string | number>;
  /** -inf: CSV injection file. */
  inf?: string;
  /** -timeout: SIPp stops (and fails) after this long; default 30 s. */
  timeoutSeconds?: number;
  /** -trace_msg: keep every message SIPp sent and received (returned as `messages`). */
  traceMessages?: boolean;
  /** `tcp`: SIP over one TCP connection (`-t t1`); UDP otherwise. */
  transport?: 'udp' | 'tcp';
  /** Extra arguments, appended as given. */
  args?: string[];
}

export interface SippResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Contents of the -trace_err log (messages SIPp did not expect), if any. */
  errors: string;
  /** The -trace_msg log, when `traceMessages` was set. */
  messages: string;
  /** Final statistics (the -trace_stat CSV's last row), keyed by column name. */
  stats: Record<string, string>;
  /** The directory holding every trace file of this run. */
  traceDir: string;
}

export interface SippRun {
  port: number;
  /** The SIPp process id (for reading its CPU time from /proc). */
  pid: number | undefined;
  /** "127.0.0.1:<port>": where to send to reach this SIPp. */
  address: string;
  done: Promise<SippResult>;
  /** Stops SIPp now (SIGKILL if it does not exit), resolving when it has. */
  stop(): Promise<SippResult>;
}

const running = new Set<ChildProcess>();

/**
 * Runs a SIPp scenario as a child process on a free loopback port. Resolves once SIPp holds its UDP
 * port, so a UAS scenario is ready to receive; `done` settles when SIPp exits (0 = every call passed).
 */
export async function startSipp(opts: SippOptions, retry?: number): Promise<SippRun> {
  const port = opts.port ?? (await freePort());
  const traceDir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const scenario = opts.scenario.includes('/') ? resolve(opts.scenario) : resolve('test/sipp', opts.scenario);
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-m', String(opts.calls ?? 1), '-nostdin'];
  args.push('-trace_err', '-error_file', join(traceDir, 'errors.log'));
  args.push('-trace_stat', '-stf', join(traceDir, 'stats.csv'), '-fd', '1');
  args.push('-timeout', `${opts.timeoutSeconds ?? 30}s`, '-timeout_error');
  if (opts.traceMessages) args.push('-trace_msg', '-message_file', join(traceDir, 'messages.log'));
  if (opts.transport === 'tcp') args.push('-t', 't1');
  if (opts.service) args.push('-s', opts.service);
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.inf) args.push('-inf', resolve(opts.inf));
  for (const [k, v] of Object.entries(opts.keys ?? {})) args.push('-key', k, String(v));
  args.push(...(opts.args ?? []));
  if (opts.remote) args.push(opts.remote);

  const child = spawn('sipp', args, { cwd: traceDir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-200_000)));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippResult>((resolveDone) => {
    const finish = (exitCode: number | null) => {
      running.delete(child);
      resolveDone({
        exitCode,
        stdout,
        stderr,
        errors: readIfExists(join(traceDir, 'errors.log')),
        messages: readIfExists(join(traceDir, 'messages.log')),
        stats: lastStats(join(traceDir, 'stats.csv')),
        traceDir,
      });
    };
    child.once('exit', (code) => finish(code));
    child.once('error', (err) => {
      stderr += String(err);
      finish(null);
    });
  });
  // A TCP UAC only connects out; a TCP UAS listens, and a UDP SIPp always binds its port.
  if (opts.transport !== 'tcp') await waitForUdpBound(port, child.pid, done);
  else if (!opts.remote) await waitForTcpListening(port, done);
  if (child.exitCode !== null || child.signalCode !== null) {
    // Another test took the port between freePort() and SIPp's bind: try again on a new one.
    const result = await done;
    if (opts.port === undefined && (retry ?? 0) < 3 && /bind|address already in use/i.test(result.stderr + result.stdout)) {
      return startSipp(opts, (retry ?? 0) + 1);
    }
    throw new Error(`SIPp exited at start (code ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      const r = await done;
      clearTimeout(t);
      return r;
    }
    return done;
  };
  const traced = args.indexOf('-message_file');
  const messageFile = traced >= 0 ? args[traced + 1] : undefined;
  explainOnFailure(`SIPp ${basename(scenario)} on 127.0.0.1:${port} (pid ${child.pid})`, () => describeSipp(child, stderr, join(traceDir, 'errors.log'), messageFile));
  return { port, pid: child.pid, address: `127.0.0.1:${port}`, done, stop };
}

/** A SIPp's state for a failed test: running or how it exited, its complaints, and the messages it saw. */
function describeSipp(child: ChildProcess, stderr: string, errorFile: string, messageFile: string | undefined): string {
  const state =
    child.exitCode !== null ? `exited with code ${child.exitCode}` : child.signalCode !== null ? `killed by ${child.signalCode}` : 'still running';
  const lines = [state];
  if (stderr.trim()) lines.push(`stderr:\n${tailLines(stderr, 5)}`);
  const errors = readIfExists(errorFile);
  if (errors.trim()) lines.push(`unexpected messages (-trace_err):\n${tailLines(errors, 12)}`);
  if (messageFile) {
    const flow = readSippMessages(messageFile).map((m) => `${m.at} ${m.direction} ${m.startLine}`);
    lines.push(flow.length ? `messages:\n${tailLines(flow.join('\n'), 40, 160)}` : 'messages: none');
  }
  return lines.join('\n');
}

/** Runs a scenario to its end and returns its result. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return (await startSipp(opts)).done;
}

/** Kills every SIPp still running; for afterAll/afterEach. */
export async function stopAllSipp(): Promise<void> {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

/** Waits until SIPp itself holds the UDP port: a port in use by another process does not count. */
async function waitForUdpBound(port: number, pid: number | undefined, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !gone; i++) {
    if (!(await udpFree(port)) && (pid === undefined || holdsUdpPort(pid, port))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!gone) throw new Error(`SIPp did not bind UDP port ${port}`);
}

/** Linux: whether process `pid` has a socket open on UDP `port` (/proc/net/udp inode among its fds). */
function holdsUdpPort(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readIfExists(table).split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function waitForTcpListening(port: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !gone; i++) {
    if (await tcpAccepts(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!gone) throw new Error(`SIPp did not listen on TCP port ${port}`);
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

function lastStats(path: string): Record<string, string> {
  const dir = join(path, '..');
  const file = existsSync(path) ? path : readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.csv'));
  if (!file) return {};
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const out: Record<string, string> = {};
  header.forEach((h, i) => {
    if (h) out[h] = last[i] ?? '';
  });
  return out;
}
