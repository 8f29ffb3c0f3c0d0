import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

/** A real redis-server on a loopback port, for tests and benchmarks. */
export interface RedisServer {
  url: string;
  port: number;
  /** SIGTERM, resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, resolves once the process has exited: Redis lost mid-run. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port (after stop or kill); data survives only with persistDir. */
  restart(): Promise<void>;
}

/**
 * Starts redis-server on `port` or a free loopback port; resolves once it answers PING. No persistence,
 * unless `persistDir` is given: then every write is appended and fsynced there, so data survives kill/restart.
 */
export async function startRedis(options: { port?: number; persistDir?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const persistence = options.persistDir === undefined ? ['--save', '', '--appendonly', 'no'] : ['--save', '', '--dir', options.persistDir, '--appendonly', 'yes', '--appendfsync', 'always'];
  let child: ChildProcess | undefined = await launch(port, persistence);

  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGTERM');
      child = await launch(port, persistence);
    },
  };
}

async function launch(port: number, persistence: string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
    if (await answersPing(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * How many notifications wait in the outboxes on this Redis, under every key prefix: 0 once each one was
 * delivered and removed, so that no retry or outbox rescan can send one again.
 */
export async function outboxEntries(redis: RedisServer): Promise<number> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys = await client.keys('*outbox');
    const sizes = await Promise.all(keys.map((k) => client.hlen(k)));
    return sizes.reduce((a, b) => a + b, 0);
  } finally {
    client.disconnect();
  }
}
