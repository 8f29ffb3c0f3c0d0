// A real FreeSWITCH (the binary in FREESWITCH_BIN) for the freeswitch-mode stack tests, run with the
// project's own configuration (docker/freeswitch/) on free loopback ports: vars.xml is the one file
// rewritten, everything else is the shipped configuration as the compose stack mounts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, accepts } from './ports.js';
import { WITH_PARENT } from './sip-edge-server.js';

const CONFIG_DIR = resolve('docker/freeswitch');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Whether the E2E fixtures put daemons on FreeSWITCH media (the freeswitch-mode stack tests set it). */
export function testMediaMode(): 'direct' | 'freeswitch' {
  return process.env.OUTDIAL_TEST_MEDIA === 'freeswitch' ? 'freeswitch' : 'direct';
}

/** Every FreeSWITCH this worker started, by its event socket port. */
const started = new Map<number, FreeswitchServer>();

/** The FreeSWITCH (started by this worker) a freeswitch-mode daemon's calls are anchored at. */
export function freeswitchOf(config: { media: { freeswitch?: readonly { port: number }[] | undefined } }): FreeswitchServer {
  const server = started.get(config.media.freeswitch?.[0]?.port ?? -1);
  if (!server) throw new Error('the daemon is anchored at no FreeSWITCH this test worker started');
  return server;
}

/** The RTP ports each started FreeSWITCH hands out, by its event socket port. */
const rtpRanges = new Map<number, { portMin: number; portMax: number }>();

/**
 * The ports a daemon's SDP offers come from: its own media.rtp range in direct mode, in freeswitch mode the
 * RTP range of the FreeSWITCH its calls are anchored at (the offer is FreeSWITCH's).
 */
export function offerPortRange(config: {
  media: { mode: string; rtp: { portMin: number; portMax: number }; freeswitch?: readonly { port: number }[] | undefined };
}): { portMin: number; portMax: number } {
  if (config.media.mode !== 'freeswitch') return config.media.rtp;
  const range = rtpRanges.get(config.media.freeswitch?.[0]?.port ?? -1);
  if (!range) throw new Error('the daemon is anchored at a FreeSWITCH this test worker did not start');
  return range;
}

export interface FreeswitchServer {
  /** What `media.freeswitch[]` says to reach it. */
  esl: { address: string; port: number; secret: string };
  /** SIGKILL, resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGSTOP: FreeSWITCH keeps its sockets open and answers nothing (a frozen server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  log(): string;
  /** The FreeSWITCH process's pid (for its CPU time in /proc), once known. */
  pid(): number | undefined;
}

export interface FreeswitchOptions {
  /** How many RTP ports FreeSWITCH may hand out (400 by default; each channel takes two). */
  rtpPorts?: number;
  /** The event socket to listen on (a free port and a new secret by default): a server started again in its place. */
  esl?: { address: string; port: number; secret: string };
}

export async function startFreeswitch(options: FreeswitchOptions = {}): Promise<FreeswitchServer> {
  const bin = process.env.FREESWITCH_BIN;
  if (!bin) throw new Error('FREESWITCH_BIN is not set: it must name a FreeSWITCH binary (1.10.x)');
  const dir = mkdtempSync(join(tmpdir(), 'outdial-freeswitch-'));
  const conf = join(dir, 'conf');
  for (const d of ['conf', 'log', 'db', 'run']) mkdirSync(join(dir, d));
  for (const f of readdirSync(CONFIG_DIR)) copyFileSync(join(CONFIG_DIR, f), join(conf, f));
  const esl = options.esl ?? { address: '127.0.0.1', port: await freePort(), secret: `fs-${Math.random().toString(36).slice(2)}` };
  const sipPort = await freePort();
  // Below freePort()'s 20000-39000 and the daemons' RTP ports, so no test binds what FreeSWITCH hands out.
  const rtpPorts = options.rtpPorts ?? 400;
  const rtpStart = 10000 + 2 * Math.floor(Math.random() * Math.max(1, (10000 - rtpPorts) / 2));
  const vars: Record<string, string | number> = {
    mrf_sip_ip: '127.0.0.1',
    mrf_sip_port: sipPort,
    mrf_rtp_ip: '127.0.0.1',
    mrf_ext_rtp_ip: '127.0.0.1',
    esl_ip: esl.address,
    esl_port: esl.port,
    esl_password: esl.secret,
    rtp_start_port: rtpStart,
    rtp_end_port: rtpStart + rtpPorts - 1,
  };
  rtpRanges.set(esl.port, { portMin: rtpStart, portMax: rtpStart + rtpPorts - 1 });
  writeFileSync(
    join(conf, 'vars.xml'),
    `<include>\n${Object.entries(vars)
      .map(([k, v]) => `  <X-PRE-PROCESS cmd="set" data="${k}=${v}"/>`)
      .join('\n')}\n</include>\n`,
  );
  let output = '';
  // Through the watcher the SIP edges use: FreeSWITCH ends with the test worker even when the worker is killed.
  const args = ['-nonat', '-nf', '-nc', '-conf', conf, '-log', join(dir, 'log'), '-db', join(dir, 'db'), '-run', join(dir, 'run'), '-cache', join(dir, 'db')];
  const child = spawn('sh', ['-c', WITH_PARENT, 'sh', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let fsPid: number | undefined;
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20000);
    fsPid ??= Number(/^edge-pid (\d+)$/m.exec(output)?.[1]) || undefined;
  });
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  const log = () => {
    try {
      return output + readFileSync(join(dir, 'log', 'freeswitch.log'), 'utf8').slice(-20000);
    } catch {
      return output;
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`FreeSWITCH exited at start (${child.exitCode ?? child.signalCode}):\n${log()}`);
    if (await accepts(esl.port)) break;
    if (Date.now() > deadline) {
      if (fsPid !== undefined) process.kill(fsPid, 'SIGKILL');
      child.kill('SIGKILL');
      throw new Error(`FreeSWITCH did not open its event socket ${esl.port} within 20 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // The signal goes to FreeSWITCH itself; the watcher exits with it.
    const send = (sig: NodeJS.Signals) => {
      try {
        if (fsPid !== undefined) process.kill(fsPid, sig);
        else child.kill(sig);
      } catch {
        // Already gone; the watcher exits with it.
      }
    };
    send(signal);
    const force = setTimeout(() => send('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  const signal = (sig: NodeJS.Signals) => {
    if (fsPid === undefined) throw new Error('FreeSWITCH has no known pid yet');
    process.kill(fsPid, sig);
  };
  const server: FreeswitchServer = {
    esl,
    kill: () => end('SIGKILL'),
    // A frozen FreeSWITCH would take SIGTERM only once continued.
    stop: async () => {
      try {
        if (fsPid !== undefined) process.kill(fsPid, 'SIGCONT');
      } catch {
        // Already gone.
      }
      await end('SIGTERM');
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    log,
    pid: () => fsPid,
  };
  started.set(esl.port, server);
  return server;
}
