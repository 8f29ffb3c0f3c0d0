import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { untilValue } from '../support/until.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** /healthz once the daemon listens: undefined until then. */
async function healthz(port: number): Promise<{ status: number; body: any } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: await res.json() };
  } catch {
    return undefined;
  }
}

describe('outdial start with the embedded edge', () => {
  it('reports sip.connected in /healthz and exits 0 on SIGTERM', async () => {
    const httpPort = await freePort();
    const sipPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'outdial-'));
    const config = join(dir, 'outdial.yaml');
    writeFileSync(
      config,
      `http: { host: 127.0.0.1, port: ${httpPort} }\nsip:\n  edge: embedded\n  embedded: { host: 127.0.0.1, port: ${sipPort} }\nlog: { level: warn }\n`,
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const health = (await untilValue('the daemon to answer /healthz', () => healthz(httpPort), (h) => h !== undefined, 20_000, 100))!;
    expect(health.status, stderr).toBe(200);
    expect(health.body.sip).toEqual({ edge: 'embedded', connected: true });
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});
