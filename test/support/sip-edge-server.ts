// The SIP edge a daemon with `sip.edge: drachtio` connects to, as a process of its own: a real
// drachtio-server (the binary in DRACHTIO_BIN, run with a config written here) or the embedded edge
// (test/support/edge-process.ts). Tests that must hold on both edges take the kind as a parameter;
// `npm run test:stack` sets OUTDIAL_TEST_EDGE=drachtio so the shared E2E fixtures run against the real server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, accepts } from './ports.js';

export type EdgeKind = 'embedded' | 'drachtio';

// Whatever a test file left running goes with its worker process, even a worker that is killed: each edge
// holds a pipe from it and ends when that pipe closes (drachtio-server through a small sh watcher, the
// embedded edge by itself).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Runs "$@" and prints its pid; kills it when stdin closes; exits with its status. */
export const WITH_PARENT = 'exec 3<&0; "$@" </dev/null 3<&- & c=$!; echo "edge-pid $c"; (while read -r _ <&3; do :; done; kill -9 $c 2>/dev/null) </dev/null & w=$!; wait $c; r=$?; kill $w 2>/dev/null; exit $r';

/** The edge the E2E fixtures put daemons behind: `embedded` in process unless OUTDIAL_TEST_EDGE=drachtio. */
export function testEdgeKind(): EdgeKind | 'in-process' {
  return process.env.OUTDIAL_TEST_EDGE === 'drachtio' ? 'drachtio' : 'in-process';
}

/** The edge kinds a both-edges test runs on: the embedded one always, a real drachtio-server under test:stack. */
export function edgeKindsUnderTest(): EdgeKind[] {
  return process.env.DRACHTIO_BIN && process.env.OUTDIAL_TEST_EDGE === 'drachtio' ? ['embedded', 'drachtio'] : ['embedded'];
}

export interface SipEdgeServer {
  kind: EdgeKind;
  /** What `sip.drachtio` says to reach it. */
  control: { host: string; port: number; secret: string };
  /** Where it speaks SIP (UDP and TCP). */
  sipPort: number;
  /** Where it speaks SIP over TLS (drachtio-server started with `tls`). */
  tlsPort?: number;
  pid(): number;
  /** SIGSTOP: the process keeps its sockets open and answers nothing (a wedged edge). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGKILL, resolves once the process has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same ports (after kill or stop): none of the old dialogs survive. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 3 s), resolves once the process has exited. */
  stop(): Promise<void>;
  /** Its log so far (drachtio-server's log file, or the embedded edge's output). */
  log(): string;
}

export interface SipEdgeServerOptions {
  secret?: string;
  /** The control port to listen on (a daemon already configured for it); default a free one. */
  controlPort?: number;
  /**
   * drachtio-server only: a SIP/TLS contact on a free loopback port with this certificate (PEM files, e.g.
   * from test/support/tls-certs.ts), as a `sips:` contact (sofia-sip binds TLS only for one). `chain` becomes its
   * `<tls><chain-file>`, the authorities it trusts (without one its TLS transport does not start);
   * `verifyPeer` starts it with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1, the only switch that makes it check the
   * certificates of the peers it connects to (docs/edge-connection.md, "SIP over TLS").
   */
  tls?: { cert: string; key: string; chain: string; verifyPeer?: boolean };
}

/** Starts a SIP edge of this kind on free loopback ports; resolves once its control port takes connections. */
export async function startSipEdgeServer(kind: EdgeKind, options: SipEdgeServerOptions = {}): Promise<SipEdgeServer> {
  const control = { host: '127.0.0.1', port: options.controlPort ?? (await freePort()), secret: options.secret ?? `secret-${Math.random().toString(36).slice(2)}` };
  const sipPort = await freePort();
  if (options.tls && kind !== 'drachtio') throw new Error('tls: only a drachtio-server is started with a TLS contact here');
  const tlsPort = options.tls ? await freePort() : undefined;
  const dir = mkdtempSync(join(tmpdir(), `outdial-${kind}-`));
  let output = '';
  let child: ChildProcess | undefined;
  /** The edge process itself (for drachtio-server, the watcher's child). */
  let edgePid: number | undefined;

  const launch = async () => {
    output = '';
    if (kind === 'drachtio') {
      const bin = process.env.DRACHTIO_BIN;
      if (!bin) throw new Error('DRACHTIO_BIN is not set: it must name a drachtio-server binary');
      const file = join(dir, 'drachtio.conf.xml');
      writeFileSync(file, drachtioConfig(control, sipPort, dir, options.tls && { ...options.tls, port: tlsPort! }));
      const env = options.tls?.verifyPeer ? { ...process.env, DRACHTIO_TLS_VERIFY_CLIENT_CERT: '1' } : process.env;
      child = spawn('sh', ['-c', WITH_PARENT, 'sh', bin, '-f', file], { stdio: ['pipe', 'pipe', 'pipe'], env });
    } else {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/edge-process.ts', JSON.stringify({ sipPort, wirePort: control.port, secret: control.secret })], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    }
    const c = child;
    running.add(c);
    c.once('exit', () => running.delete(c));
    edgePid = kind === 'drachtio' ? undefined : c.pid;
    c.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-20000);
      edgePid ??= Number(/^edge-pid (\d+)$/m.exec(output)?.[1]) || undefined;
    });
    c.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`${kind} edge exited at start (${c.exitCode ?? c.signalCode}):\n${output}${readLog()}`);
      if (edgePid !== undefined && (await accepts(control.port))) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`${kind} edge did not open its control port ${control.port} within 20 s:\n${output}${readLog()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const readLog = () => {
    if (kind !== 'drachtio') return '';
    try {
      return readFileSync(join(dir, 'drachtio.log'), 'utf8');
    } catch {
      return '';
    }
  };

  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    const signalEdge = (sig: NodeJS.Signals) => {
      try {
        process.kill(edgePid ?? running.pid ?? -1, sig);
      } catch {
        // Already gone.
      }
    };
    signalEdge('SIGCONT');
    signalEdge(signal);
    const force = setTimeout(() => signalEdge('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };

  await launch();
  return {
    kind,
    control,
    sipPort,
    ...(tlsPort !== undefined && { tlsPort }),
    pid: () => edgePid ?? -1,
    pause: () => {
      if (edgePid !== undefined) process.kill(edgePid, 'SIGSTOP');
    },
    resume: () => {
      if (edgePid !== undefined) process.kill(edgePid, 'SIGCONT');
    },
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGTERM');
      await launch();
    },
    stop: () => end('SIGTERM'),
    log: () => `${output}${readLog()}`,
  };
}

function drachtioConfig(
  control: { host: string; port: number; secret: string },
  sipPort: number,
  dir: string,
  tls?: { cert: string; key: string; chain: string; port: number },
): string {
  const tlsContact = tls ? `\n      <contact>sips:127.0.0.1:${tls.port};transport=tls</contact>` : '';
  const tlsFiles = tls
    ? `\n    <tls>\n      <key-file>${tls.key}</key-file>\n      <cert-file>${tls.cert}</cert-file>\n      <chain-file>${tls.chain}</chain-file>\n    </tls>`
    : '';
  return `<drachtio>
  <admin port="${control.port}" secret="${control.secret}">${control.host}</admin>
  <sip>
    <contacts>
      <contact>sip:127.0.0.1:${sipPort};transport=udp,tcp</contact>${tlsContact}
    </contacts>${tlsFiles}
  </sip>
  <cdrs>false</cdrs>
  <logging>
    <file>
      <name>${join(dir, 'drachtio.log')}</name>
      <archive>${join(dir, 'archive')}</archive>
      <size>50</size>
      <maxFiles>2</maxFiles>
      <auto-flush>true</auto-flush>
    </file>
    <sofia-loglevel>3</sofia-loglevel>
    <loglevel>${process.env.OUTDIAL_TEST_DRACHTIO_LOGLEVEL ?? 'info'}</loglevel>
  </logging>
</drachtio>
`;
}
