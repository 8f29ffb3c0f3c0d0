// `outdial demo`: the whole job on one machine. A daemon on its embedded defaults (free ports), SIPp
// callees that answer with a human, a voicemail with a beep and a fax, and one that is busy, a SIPp voice
// bot, and a local listener for notifications and bot events; four dialouts over the HTTP API, in turn,
// each printed as a timeline with its AMD decision.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenario, renderFarEndAudio } from '../../demo/index.js';
import { parseConfig } from '../config/index.js';
import { isAmdDecision, type CallRecord } from '../domain/index.js';
import { Daemon } from '../daemon/index.js';
import { createLogger } from '../log/index.js';

/** Tools the demo runs, with the Debian package that provides each. */
const TOOLS = [
  { command: 'sipp', debian: 'sip-tester', why: 'the carrier and the bot' },
  { command: 'espeak-ng', debian: 'espeak-ng', why: 'the spoken greetings' },
  { command: 'sox', debian: 'sox', why: 'resampling the greetings' },
];

const CLIENT = { id: 'demo', secret: 'demo-secret' };
const CALLER = '+15550001111';

/** The fields the demo prints of a notification or bot event. */
interface PostedBody {
  status?: string;
  reasonCode?: string;
  reason?: string;
  machineDetection?: string;
  name?: string;
  value?: string;
  unreadable?: string;
}

interface Posted {
  path: string;
  at: number;
  body: PostedBody;
}

interface DemoCall {
  title: string;
  scenario: 'carrier-answer-audio' | 'carrier-reject';
  audio?: 'human' | 'voicemail' | 'fax';
}

const CALLS: DemoCall[] = [
  { title: 'a person answers ("Hello?")', scenario: 'carrier-answer-audio', audio: 'human' },
  { title: 'a voicemail greeting, then a beep', scenario: 'carrier-answer-audio', audio: 'voicemail' },
  { title: 'a fax machine (1100 Hz CNG tones)', scenario: 'carrier-answer-audio', audio: 'fax' },
  { title: 'the line is busy', scenario: 'carrier-reject' },
];

function missingTools(): typeof TOOLS {
  return TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t.command}`], { stdio: 'ignore' }).status !== 0);
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP: the embedded SIP edge listens on both. */
async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeUdpPort();
    if (await tcpPortFree(port)) return port;
  }
  throw new Error('no loopback port free for both UDP and TCP');
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The local notifyUrl and bot eventsUrl: keeps every JSON POST with its arrival time. */
async function startListener(): Promise<{ server: Server; port: number; posted: Posted[] }> {
  const posted: Posted[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      try {
        posted.push({ path: req.url ?? '/', at: Date.now(), body: JSON.parse(raw) as PostedBody });
      } catch {
        posted.push({ path: req.url ?? '/', at: Date.now(), body: { unreadable: raw.slice(0, 200) } });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, posted };
}

interface Sipp {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

async function startSipp(scenario: string, keys: Record<string, string | number>, calls: number): Promise<Sipp> {
  const port = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  // -aa: SIPp answers an INFO that arrives between two scenario steps instead of dropping the call.
  const args = ['-aa', '-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort), '-m', String(calls), '-nostdin'];
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, String(v));
  const child = spawn('sipp', args, { cwd: tmpdir(), stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // Ready once SIPp holds its SIP port.
  for (let i = 0; i < 200; i++) {
    const bound = await new Promise<boolean>((r) => {
      const s = createSocket('udp4');
      s.once('error', () => r(true));
      s.bind(port, '127.0.0.1', () => s.close(() => r(false)));
    });
    if (bound || child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (child.exitCode !== null) throw new Error(`sipp could not start ${scenario}`);
  return { child, port, exited };
}

function clock(ms: number): string {
  return `+${(ms / 1000).toFixed(3).padStart(6)} s`;
}

function describeNotification(n: PostedBody): string {
  const parts = [`notification ${String(n.status)}`];
  if (n.reasonCode) parts.push(`reasonCode=${n.reasonCode}`);
  if (n.reason) parts.push(`reason="${n.reason}"`);
  if (n.machineDetection) parts.push(`machineDetection="${n.machineDetection}"`);
  return parts.join(' ');
}

function decisionLine(record: CallRecord | undefined): string {
  const decision = record?.amdEvents.find((e) => isAmdDecision(e));
  const reason = decision && 'reason' in decision ? ` (${decision.reason})` : '';
  const amd = decision ? `${decision.type}${reason} after ${decision.atMs} ms of audio` : 'no AMD decision (not answered)';
  return `AMD decision: ${amd}; call ${String(record?.status)} ${String(record?.reasonCode)}${record?.voicemailOutcome ? `, ${record.voicemailOutcome}` : ''}`;
}

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(): Promise<number> {
  const missing = missingTools();
  if (missing.length > 0) {
    for (const t of missing) console.error(`outdial demo: "${t.command}" is not installed (needed for ${t.why}; Debian package ${t.debian})`);
    console.error(`install them with: sudo apt-get install ${missing.map((t) => t.debian).join(' ')}`);
    return 1;
  }
  console.log('outdial demo: rendering the callee greetings (espeak-ng, sox)...');
  const audio = await renderFarEndAudio(join(tmpdir(), 'outdial-demo-audio'));

  const listener = await startListener();
  const notifyUrl = (path: string) => `http://127.0.0.1:${listener.port}${path}`;
  const bot = await startSipp(demoScenario('bot-answer-bye'), { sdp_user: 'bot', ring_ms: 0, audio_pcap: audio.files.bot.pcap, bye_after_ms: 6000 }, 2);
  const carriers: Sipp[] = [];
  for (const c of CALLS) {
    const keys: Record<string, string | number> = { sdp_user: 'callee', ring_ms: 300 };
    if (c.audio) keys.audio_pcap = audio.files[c.audio].pcap;
    else keys.statusline = 'SIP/2.0 486 Busy Here';
    carriers.push(await startSipp(demoScenario(c.scenario), keys, 1));
  }

  const config = parseConfig(
    {
      http: { host: '127.0.0.1', port: await freeTcpPort() },
      sip: { edge: 'embedded', embedded: { host: '127.0.0.1', port: await freeSipPort() } },
      log: { level: 'silent' },
      accounts: [{ name: 'demo', trunks: [{ name: 'carrier', host: '127.0.0.1', port: carriers[0]!.port, default: true }] }],
      bots: [
        {
          name: 'DemoBot',
          account: 'demo',
          sipUri: `sip:bot@127.0.0.1:${bot.port}`,
          eventsUrl: notifyUrl('/bot-events'),
          sendEventsToBot: ['dialoutInitiated'],
          dialoutAllowedCallers: [CALLER],
        },
      ],
      clients: [{ id: CLIENT.id, secret: CLIENT.secret, roles: ['VAIC/BOTS/DIALOUT'], scopes: ['*'] }],
    },
    'demo config',
  );
  const daemon = new Daemon(config, createLogger('silent'));
  let code = 0;
  try {
    const { httpPort, sip } = await daemon.start();
    const api = `http://127.0.0.1:${httpPort}`;
    console.log(`daemon: HTTP ${api}, SIP ${sip.host}:${sip.port} (embedded edge), RTP ${config.media.rtp.portMin}-${config.media.rtp.portMax}`);
    console.log(`bot:    SIPp at sip:bot@127.0.0.1:${bot.port}, events to ${notifyUrl('/bot-events')}`);
    console.log('');
    for (const [i, c] of CALLS.entries()) {
      const target = `sip:callee@127.0.0.1:${carriers[i]!.port}`;
      console.log(`call ${i + 1}/${CALLS.length}: ${c.title}`);
      console.log(`  POST /api/v1/actions/dialout  target=${target}  machineDetection=detect`);
      const botEventsBefore = listener.posted.filter((p) => p.path === '/bot-events').length;
      const t0 = Date.now();
      const res = await fetch(`${api}/api/v1/actions/dialout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
        body: JSON.stringify({ bot: 'DemoBot', target, caller: CALLER, machineDetection: 'detect', notifyUrl: notifyUrl(`/notify/${i}`), metadata: { demoCall: i + 1 } }),
      });
      const json = (await res.json()) as { conversationId?: string; error?: string };
      if (res.status !== 200 || !json.conversationId) {
        console.log(`  dialout refused: ${res.status} ${JSON.stringify(json)}`);
        code = 1;
        continue;
      }
      const path = `/notify/${i}`;
      const deadline = Date.now() + 30_000;
      while (!listener.posted.some((p) => p.path === path && ['completed', 'failed'].includes(p.body.status ?? '')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // Let the last bot events land before printing.
      await new Promise((r) => setTimeout(r, 300));
      const recordRes = await fetch(`${api}/api/v1/calls/${json.conversationId}`, {
        headers: { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
      });
      const record = recordRes.status === 200 ? ((await recordRes.json()) as CallRecord) : undefined;
      const lines: { at: number; text: string }[] = [{ at: t0, text: `dialout accepted, conversationId ${json.conversationId}` }];
      for (const p of listener.posted.filter((x) => x.path === path)) lines.push({ at: p.at, text: describeNotification(p.body) });
      for (const p of listener.posted.filter((x) => x.path === '/bot-events').slice(botEventsBefore)) {
        lines.push({ at: p.at, text: `bot event ${String(p.body.name)}${p.body.value ? ` ${p.body.value}` : ''}` });
      }
      if (record?.answeredAt) {
        const answered = Date.parse(record.answeredAt);
        for (const e of record.amdEvents) {
          const extra = 'reason' in e ? ` (${e.reason})` : 'frequency' in e ? ` (${e.frequency} Hz)` : '';
          // Placed at answer time + audio offset: the record keeps the audio offset, not the wall-clock time.
          lines.push({ at: answered + e.atMs, text: `AMD ${e.type}${extra} at ${e.atMs} ms of the callee's audio` });
        }
      }
      lines.sort((a, b) => a.at - b.at);
      for (const l of lines) console.log(`  ${clock(l.at - t0)}  ${l.text}`);
      if (!listener.posted.some((p) => p.path === path && ['completed', 'failed'].includes(p.body.status ?? ''))) {
        console.log('  no final notification within 30 s');
        code = 1;
      }
      console.log(`  ${decisionLine(record)}`);
      console.log('');
    }
  } finally {
    await daemon.stop();
    for (const s of [bot, ...carriers]) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all([bot, ...carriers].map((s) => s.exited));
    await new Promise<void>((r) => listener.server.close(() => r()));
  }
  console.log(code === 0 ? 'demo done: four calls placed, each ended with its final notification' : 'demo finished with errors (see above)');
  return code;
}
