import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, silence, syllables, tone, wav } from './signals.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-amd-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine = join(dir, 'machine.wav');
writeFileSync(machine, wav(concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(2500))));
const human = join(dir, 'human.wav');
writeFileSync(human, wav(concat(silence(600), syllables(2), silence(3000))));
const floatWav = join(dir, 'float.wav');
writeFileSync(floatWav, wav(silence(100), 8000, { format: 3 }));

function outdial(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'amd', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('outdial amd', () => {
  it('prints one JSON object per event, processing each file to its end', () => {
    const r = outdial('--json', machine, human);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.file, l.type])).toEqual([
      [machine, 'amd_machine_detected'],
      [machine, 'amd_tone_detected'],
      [machine, 'amd_machine_stopped_speaking'],
      [machine, 'amd_stopped'],
      [human, 'amd_human_detected'],
      [human, 'amd_stopped'],
    ]);
    expect(lines[0]).toMatchObject({ reason: 'long greeting' });
    expect(lines[1]).toMatchObject({ frequency: 1000 });
    expect(typeof lines[1]!.atMs).toBe('number');
  });

  it('applies the timer flags', () => {
    const r = outdial('--json', '--no-speech-timeout-ms', '300', '--threshold-word-count', '40', human);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toEqual({ file: human, type: 'amd_no_speech_detected', atMs: 300 });
    const t = outdial('--json', '--tone-timeout-ms', '1000', '--greeting-completion-timeout-ms', '500', '--decision-timeout-ms', '15000', machine);
    const types = t.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['amd_machine_detected', 'amd_machine_stopped_speaking', 'amd_stopped']);
  });

  it('--speech-end-threshold-ms sets the silence after a short answer that means a person waiting', () => {
    const at = (...flags: string[]) => (JSON.parse(outdial('--json', ...flags, human).stdout.split('\n')[0]!) as { type: string; atMs: number });
    const fast = at('--speech-end-threshold-ms', '300');
    const slow = at('--speech-end-threshold-ms', '1500');
    expect(fast.type).toBe('amd_human_detected');
    expect(slow.type).toBe('amd_human_detected');
    expect(slow.atMs - fast.atMs).toBe(1200);
    expect(outdial('--speech-end-threshold-ms', '-5', human).stderr).toContain('--speech-end-threshold-ms must be a non-negative integer');
  });

  it('prints readable lines without --json', () => {
    const r = outdial(human);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/human\.wav\s+\d+ ms\s+amd_human_detected\s+reason="short greeting"/);
  });

  it('exits non-zero naming the file it cannot read, and still processes the others', () => {
    const missing = join(dir, 'missing.wav');
    const r = outdial('--json', missing, floatWav, human);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`cannot read ${missing}`);
    expect(r.stderr).toMatch(/float\.wav: IEEE float audio is not supported/);
    expect(r.stdout).toContain('"type":"amd_human_detected"');
  });

  it('rejects a malformed flag value', () => {
    const r = outdial('--decision-timeout-ms', 'soon', human);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--decision-timeout-ms must be a non-negative integer');
  });
});
