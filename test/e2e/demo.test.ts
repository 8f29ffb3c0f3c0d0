// `outdial demo` end to end: four calls through a real daemon, SIPp callees and a SIPp bot, printed as
// timelines; and the clear message naming the Debian packages when its tools are missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runDemo(env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The lines of one call's timeline, from its "call N/4" heading to the next blank line. */
function block(out: string, n: number): string {
  const start = out.indexOf(`call ${n}/4:`);
  expect(start, `call ${n} in the output`).toBeGreaterThanOrEqual(0);
  return out.slice(start, out.indexOf('\n\n', start));
}

describe('outdial demo', () => {
  it('places the four calls and prints each timeline with its AMD decision, exiting 0', async () => {
    const { code, out, err } = await runDemo();
    expect(code, `${out}\n${err}`).toBe(0);
    expect(out).toMatch(/daemon: HTTP http:\/\/127\.0\.0\.1:\d+, SIP 127\.0\.0\.1:\d+ \(embedded edge\)/);

    const human = block(out, 1);
    expect(human).toMatch(/notification answered[\s\S]*AMD amd_human_detected \(short greeting\)/);
    expect(human).toMatch(/bot event start[\s\S]*notification completed reasonCode=bot-disconnected/);
    expect(human).toContain('AMD decision: amd_human_detected');

    const voicemail = block(out, 2);
    expect(voicemail).toMatch(/bot event machineDetection voicemail-prompt-start[\s\S]*bot event machineDetection voicemail-prompt-end-beep/);
    expect(voicemail).toContain('AMD amd_tone_detected (1000 Hz)');
    expect(voicemail).toContain('machineDetection="voicemail beep"');
    expect(voicemail).toContain('AMD decision: amd_machine_detected (long greeting)');

    const fax = block(out, 3);
    expect(fax).toContain('notification completed reasonCode=machine-detected reason="fax detected"');
    expect(fax).not.toContain('bot event start');

    const busy = block(out, 4);
    expect(busy).toContain('notification failed reasonCode=busy');
    expect(busy).not.toContain('notification answered');
    expect(out).toContain('demo done: four calls placed');
  }, 90_000);

  it('names the missing tools and their Debian packages, exiting 1', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'demo-path-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const { code, err } = await runDemo({ ...process.env, PATH: bin });
    expect(code).toBe(1);
    expect(err).toContain('"sipp" is not installed');
    expect(err).toContain('Debian package sip-tester');
    expect(err).toContain('sudo apt-get install sip-tester espeak-ng sox');
  }, 30_000);
});
