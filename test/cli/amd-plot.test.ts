import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioSummarizer } from '../../src/plot/audio-summarizer.js';
import { renderAmdSvg } from '../../src/plot/amd-svg.js';
import { concat, silence, syllables, tone, wav } from '../amd/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-amd-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machinePcm = concat(silence(500), syllables(20), silence(400), tone(1000, 400, -12), silence(2500));
const machine = join(dir, 'machine.wav');
writeFileSync(machine, wav(machinePcm));

function outdial(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'amd', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('outdial amd --plot', () => {
  it('draws every event of the file (type and offset), its speech and its beep', () => {
    const out = join(dir, 'machine.svg');
    const r = outdial('--json', '--plot', out, machine);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; atMs: number; reason?: string });
    expect(events.map((e) => e.type)).toContain('amd_machine_detected');
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const drawn = [...svg.matchAll(/<g class="event" data-type="([^"]+)" data-at-ms="(\d+)">/g)].map((m) => ({ type: m[1], atMs: Number(m[2]) }));
    expect(drawn).toEqual(events.map((e) => ({ type: e.type, atMs: e.atMs })));
    for (const e of events) expect(svg).toContain(`${e.atMs} ms  ${e.type}`);
    const decision = events.find((e) => e.type === 'amd_machine_detected')!;
    expect(svg).toContain(`reason=${decision.reason}`);
    expect(svg).toMatch(/<rect class="tone"[^>]*><title>tone (99\d|100\d) Hz/);
    expect((svg.match(/<rect class="speech"/g) ?? []).length).toBeGreaterThan(3);
    expect(svg).toMatch(/<polyline class="level"/);
  });

  it('refuses several files, and a file it cannot read, without writing a picture', () => {
    const out = join(dir, 'none.svg');
    expect(outdial('--plot', out, machine, machine)).toMatchObject({ code: 2, stderr: 'outdial amd: --plot draws one file, got 2\n' });
    expect(outdial('--plot', out, join(dir, 'missing.wav')).code).toBe(1);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('audio summary', () => {
  it('places speech and the beep where the audio has them, and stays bounded on long audio', () => {
    const s = new AudioSummarizer();
    s.pushFrame(machinePcm);
    const summary = s.summary();
    expect(summary.bucketMs).toBe(100);
    expect(summary.durationMs).toBe(Math.floor(machinePcm.length / 160) * 20);
    expect(summary.speech[0]![0]).toBeGreaterThanOrEqual(480);
    expect(summary.speech[0]![0]).toBeLessThan(700);
    expect(summary.tones).toHaveLength(1);
    expect(Math.abs(summary.tones[0]!.frequency - 1000)).toBeLessThan(15);
    expect(summary.levelsDb.length).toBe(Math.ceil(summary.durationMs / 100));
    const long = new AudioSummarizer();
    for (let i = 0; i < 100; i++) long.pushFrame(machinePcm);
    const bounded = long.summary();
    expect(bounded.truncated).toBe(true);
    expect(bounded.durationMs).toBe(60_000);
    expect(bounded.levelsDb).toHaveLength(600);
    expect(JSON.stringify(bounded).length).toBeLessThan(16_000);
  });

  it('escapes what it draws', () => {
    const svg = renderAmdSvg({ title: 'a<b>&"c"', summary: new AudioSummarizer().summary(), events: [{ type: 'amd_error', error: '<script>', atMs: 0 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
