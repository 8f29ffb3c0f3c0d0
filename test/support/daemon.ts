import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/log/index.js';
import { onCleanup } from './cleanup.js';
import { explainOnFailure, LogTail, tailLines } from './diagnostics.js';
import { startFreeswitch, testMediaMode } from './freeswitch-server.js';
import { freePort } from './ports.js';
import { outboxEntries, type RedisServer } from './redis.js';
import { startSipEdgeServer, testEdgeKind, type SipEdgeServer } from './sip-edge-server.js';
import { until } from './until.js';

/**
 * Under test:stack the daemons of a test file share one drachtio-server, as the daemons of a deployment do
 * (one drachtio-server process per daemon made timing tests depend on how fast a loaded host starts them).
 * It lives as long as the test worker.
 */
let sharedDrachtio: Promise<SipEdgeServer> | undefined;
const behindDrachtio = new WeakSet<object>();

/** The config a test daemon runs with: every port free, one account/trunk, one bot and one client. */
export interface TestDaemonSpec {
  /** SIP port of the carrier far end (the account's default trunk). */
  carrierPort: number;
  /** SIP port of the bot far end. */
  botPort: number;
  /** Deep-merged over the generated config (bots/accounts/clients replace whole). */
  overrides?: Record<string, unknown>;
  /** Bot fields merged into the generated bot Bot1. */
  bot?: Record<string, unknown>;
}

export const TEST_CLIENT = { id: 'dialer1', secret: 's3cret' };
export const BASIC_AUTH = `Basic ${Buffer.from(`${TEST_CLIENT.id}:${TEST_CLIENT.secret}`).toString('base64')}`;

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * Test daemons' RTP ports: each vitest worker (vitest.stack.config.ts runs two, `--maxWorkers 2` too) takes
 * its own half of 42000–49999 and hands its daemons 400-port ranges from it in turn, so a port one daemon
 * released is not another daemon's soon after. The far end of an ended call may go on sending there for a
 * moment (a SIPp plays its recording to the end), and each daemon's port pool passes over the ports it
 * released itself only.
 */
const RTP_SLICES = 2;
const RTP_SLICE_PORTS = 4000;
const RTP_RANGE_PORTS = 400;
let rtpTurn = Math.floor(Math.random() * (RTP_SLICE_PORTS / RTP_RANGE_PORTS));

function nextRtpBase(): number {
  const slice = (Number(process.env.VITEST_POOL_ID ?? 1) - 1) % RTP_SLICES;
  const turn = rtpTurn++ % (RTP_SLICE_PORTS / RTP_RANGE_PORTS);
  return 42000 + slice * RTP_SLICE_PORTS + turn * RTP_RANGE_PORTS;
}

export async function testConfigObject(spec: TestDaemonSpec): Promise<Record<string, unknown>> {
  const rtpBase = nextRtpBase();
  const base = {
    http: { host: '127.0.0.1', port: await freePort() },
    sip: { edge: 'embedded', embedded: { host: '127.0.0.1', port: await freePort() } },
    media: { mode: 'direct', rtp: { host: '127.0.0.1', portMin: rtpBase, portMax: rtpBase + RTP_RANGE_PORTS - 1 } },
    store: { type: 'memory' },
    notifications: { signingSecret: 'test-secret', timeoutMs: 2000, retries: 5 },
    calls: { shutdownGraceMs: 2000 },
    log: { level: process.env.OUTDIAL_TEST_LOG ?? 'silent' },
    accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: '127.0.0.1', port: spec.carrierPort, default: true }] }],
    bots: [
      {
        name: 'Bot1',
        account: 'acme',
        sipUri: `sip:bot1@127.0.0.1:${spec.botPort}`,
        dialoutAllowedCallers: ['+15550001111'],
        authorizationTag: 'sales',
        ...spec.bot,
      },
    ],
    clients: [{ id: TEST_CLIENT.id, secret: TEST_CLIENT.secret, roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] }],
  };
  // Under test:stack a daemon that does not choose its own edge gets a real drachtio-server of its own,
  // kept for the test (a restarted daemon with the same config finds it again).
  // A test that sets up the SIP edge itself keeps it; one that only names DNS servers runs on either edge.
  const sipOverride = spec.overrides?.sip as Record<string, unknown> | undefined;
  const ownEdge = sipOverride !== undefined && Object.keys(sipOverride).some((k) => k !== 'dns');
  if (testEdgeKind() === 'drachtio' && !ownEdge) {
    sharedDrachtio ??= startSipEdgeServer('drachtio');
    const server = await sharedDrachtio;
    base.sip = { edge: 'drachtio', drachtio: server.control } as unknown as typeof base.sip;
    // The freeswitch-mode stack tests anchor each daemon's calls at a FreeSWITCH of its own, unless the test
    // names the servers itself.
    const ownServers = (spec.overrides?.media as { freeswitch?: unknown } | undefined)?.freeswitch !== undefined;
    if (testMediaMode() === 'freeswitch' && !ownServers) {
      const fs = await startFreeswitch();
      onCleanup(() => fs.stop());
      base.media = { ...base.media, mode: 'freeswitch', freeswitch: [fs.esl] } as unknown as typeof base.media;
    }
    const config = merge(base, spec.overrides ?? {});
    behindDrachtio.add(config);
    return config;
  }
  return merge(base, spec.overrides ?? {});
}

export interface TestDaemon {
  daemon: Daemon;
  config: Config;
  /** http://127.0.0.1:<port> */
  url: string;
  /** "127.0.0.1:<port>": where the daemon's SIP edge (embedded, or its drachtio-server) takes SIP from the network. */
  sipAddress: string;
  stop(): Promise<void>;
}

/** An outdial daemon in this process, on its embedded defaults with free ports. */
export async function startTestDaemon(spec: TestDaemonSpec): Promise<TestDaemon> {
  const object = await testConfigObject(spec);
  const config = parseConfig(object, 'test config');
  const daemon = new Daemon(config, testLogger(config));
  const edge = behindDrachtio.has(object);
  const { httpPort } = await daemon.start();
  const sipAddress = edge ? `127.0.0.1:${(await sharedDrachtio!).sipPort}` : `127.0.0.1:${config.sip.embedded.port}`;
  if (edge) await waitConnected(daemon);
  return {
    daemon,
    config,
    url: `http://127.0.0.1:${httpPort}`,
    sipAddress,
    stop: () => daemon.stop(),
  };
}

/**
 * OUTDIAL_TEST_LOG=<level> prints a test daemon's log; otherwise its debug log is kept in memory and only
 * a failed test shows its tail (diagnostics.ts).
 */
function testLogger(config: Config): Logger {
  if (process.env.OUTDIAL_TEST_LOG) return createLogger(config.log.level);
  const tail = new LogTail();
  explainOnFailure(`daemon (HTTP ${config.http.host}:${config.http.port}, SIP ${config.sip.embedded.host}:${config.sip.embedded.port}) log, newest last`, () =>
    tailLines(tail.text(), 60),
  );
  return pino({ level: 'debug', base: null, timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => tail.write(line) });
}

/** A daemon behind a drachtio-server of its own takes dialouts once drachtio-srf has authenticated. */
async function waitConnected(daemon: Daemon): Promise<void> {
  const mediaUp = () => ((daemon.health().freeswitch as { up: boolean }[] | undefined) ?? []).every((s) => s.up);
  await until('the test daemon to connect to its drachtio-server (and FreeSWITCH)', () => daemon.health().sip.connected && mediaUp());
}

export interface SpawnedDaemon {
  child: ChildProcess;
  config: Config;
  configFile: string;
  url: string;
  output(): string;
  /** Waits for the process to exit; resolves with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `outdial start --config FILE` as a child process (for SIGKILL / SIGTERM tests and several daemons); nodeArgs go
 * before the script (e.g. --cpu-prof); `launcher` runs node under another command (e.g. prlimit).
 */
export async function spawnDaemon(
  configObject: Record<string, unknown>,
  configFile?: string,
  nodeArgs: string[] = [],
  launcher: string[] = [],
): Promise<SpawnedDaemon> {
  const file = configFile ?? join(mkdtempSync(join(tmpdir(), 'outdial-daemon-')), 'outdial.yaml');
  writeFileSync(file, stringify(configObject));
  const config = parseConfig(configObject, file);
  const command = [...launcher, process.execPath, ...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'start', '--config', file];
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${config.http.port}`;
  explainOnFailure(`daemon process ${child.pid} (${url}) output, newest last`, () => tailLines(out, 60));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited at start:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`daemon did not answer /healthz within 20 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, config, configFile: file, url, output: () => out, exited };
}

/** POST a dialout in the AudioCodes dialect with Basic auth. */
export async function dialoutAudiocodes(url: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/api/v1/actions/dialout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: BASIC_AUTH },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export async function getCall(url: string, conversationId: string): Promise<any> {
  const res = await fetch(`${url}/api/v1/calls/${conversationId}`, { headers: { authorization: BASIC_AUTH } });
  return res.status === 200 ? res.json() : undefined;
}

/** POST a dialout in the Kore dialect with an HS256 JWT (claim appId) signed with the client's secret. */
export async function dialoutKore(url: string, botId: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const { SignJWT } = await import('jose');
  const jwt = await new SignJWT({ appId: TEST_CLIENT.id })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_CLIENT.secret));
  const res = await fetch(`${url}/api/1.1/public/bot/${encodeURIComponent(botId)}/smartassist/dialout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', auth: jwt },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * One metric of the daemon at `url`, from its /metrics: the sum of the samples named `name` whose labels
 * include `labels` (0 when there is none), e.g. metric(url, 'outdial_calls_ended_total', { reasonCode: 'error' }).
 */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => has.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Waits until the daemon at `url` holds no notification waiting for delivery or a retry and its Redis
 * outboxes are empty: from then on no notification can arrive again, so a test can count what arrived.
 */
export async function notificationsSettled(url: string, redis: RedisServer, timeoutMs = 10_000): Promise<void> {
  await until(
    'every notification delivered and out of the outbox',
    async () => (await metric(url, 'outdial_notifications_pending')) === 0 && (await outboxEntries(redis)) === 0,
    timeoutMs,
    100,
  );
}
