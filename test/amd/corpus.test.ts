import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectFile, parseWav, type AmdEvent } from '../../src/amd/index.js';
import { CACHE_DIR, generateCorpus, type CorpusLabel } from '../fixtures/amd/corpus.js';
import { buildSpecs } from '../fixtures/amd/specs.js';

const IDS = ['human-001', 'human-031', 'machine-001', 'machine-002', 'machine-003', 'fax-001', 'fax-007', 'fax-010', 'sit-003', 'silence-005'];
const labels = new Map<string, CorpusLabel>();
const events = new Map<string, AmdEvent[]>();

beforeAll(async () => {
  for (const l of await generateCorpus({ only: IDS })) {
    labels.set(l.id, l);
    events.set(l.id, detectFile(readFileSync(join(CACHE_DIR, l.file))));
  }
}, 120_000);

const first = (id: string) => events.get(id)![0]!;
/** End of the last speech in a file: its last sample above the level espeak-ng pads with. */
const lastLoudMs = (id: string): number => {
  const x = parseWav(readFileSync(join(CACHE_DIR, labels.get(id)!.file))).samples;
  let b = x.length - 1;
  while (b > 0 && Math.abs(x[b]!) < 400) b--;
  return (b * 1000) / 8000;
};
const tones = (id: string) => events.get(id)!.filter((e) => e.type === 'amd_tone_detected');

describe('AMD engine on corpus files (espeak-ng speech through G.711)', () => {
  it('calls human answers human within a second of the end of their speech, waiting longer after a long first sentence', () => {
    // human-001 says one 1.4 s sentence: as long as a greeting's first sentence, which may pause before going
    // on, so the engine waits up to 2.8 s (docs/amd.md, "How long to wait"). human-031 says a 1.4 s sentence,
    // waits 1.5-2.5 s, then "hello?" again: the engine waits that pause out and decides soon after the
    // second, short utterance.
    const e1 = first('human-001');
    expect(e1).toMatchObject({ type: 'amd_human_detected' });
    const after1 = e1.atMs - labels.get('human-001')!.speechEndMs!;
    expect(after1).toBeGreaterThan(0);
    expect(after1).toBeLessThan(3000);
    const e31 = first('human-031');
    expect(e31).toMatchObject({ type: 'amd_human_detected' });
    const after31 = e31.atMs - lastLoudMs('human-031');
    expect(after31).toBeGreaterThan(0);
    expect(after31).toBeLessThan(1000);
  });

  it('calls a greeting without beep a machine and reports the end of the greeting', () => {
    const es = events.get('machine-001')!;
    expect(es.map((e) => e.type)).toEqual(['amd_machine_detected', 'amd_machine_stopped_speaking', 'amd_stopped']);
    expect(es[1]!.atMs).toBeGreaterThan(labels.get('machine-001')!.speechEndMs!);
  });

  it('reports each labelled beep with its frequency, then the machine stopping', () => {
    for (const id of ['machine-002', 'machine-003']) {
      const label = labels.get(id)!;
      expect(first(id)).toMatchObject({ type: 'amd_machine_detected' });
      const found = tones(id);
      expect(found).toHaveLength(label.beeps.length);
      label.beeps.forEach((b, i) => {
        const t = found[i] as { frequency: number; atMs: number };
        expect(Math.abs(t.frequency - b.hz)).toBeLessThan(b.hz * 0.02);
        expect(t.atMs).toBeGreaterThanOrEqual(b.startMs);
        expect(t.atMs).toBeLessThan(b.startMs + 300);
      });
      const stopped = events.get(id)!.find((e) => e.type === 'amd_machine_stopped_speaking')!;
      expect(stopped.atMs).toBeGreaterThan(label.beeps.at(-1)!.endMs);
    }
  });

  it('recognises fax CNG, CED and ANSam', () => {
    for (const id of ['fax-001', 'fax-007', 'fax-010']) expect(first(id)).toMatchObject({ type: 'amd_machine_detected', reason: 'fax' });
  });

  it('recognises a carrier intercept by its SIT', () => {
    expect(first('sit-003')).toMatchObject({ type: 'amd_machine_detected', reason: 'sit' });
  });

  it('reports no speech on a line with only noise', () => {
    expect(first('silence-005')).toEqual({ type: 'amd_no_speech_detected', atMs: 5000 });
  });

  it('renders a file the same, sample for sample, every time (figures measured on one machine hold on another)', async () => {
    // the line's codec round trip and the TTS resampling go through sox, whose dither is random unless seeded
    const file = join(CACHE_DIR, labels.get('machine-002')!.file);
    const before = readFileSync(file);
    rmSync(file);
    const [again] = await generateCorpus({ only: ['machine-002'] });
    expect(again!.hash).toBe(labels.get('machine-002')!.hash);
    expect(readFileSync(file).equals(before)).toBe(true);
  }, 60_000);

  it('builds the stress part from tuning people only, so the held-out part stays unseen', () => {
    const specs = buildSpecs();
    const byId = new Map(specs.map((x) => [x.id, x]));
    const stress = specs.filter((x) => x.split === 'stress');
    expect(new Set(stress.map((x) => x.kind))).toEqual(new Set(['room-12-18', 'room-10-12', 'room-wait']));
    for (const x of stress) {
      const person = byId.get(x.id.replace(/^stress-room-(12-18|10-12|wait)-/, ''));
      expect(person, x.id).toBeDefined();
      expect(person!.cls).toBe('human');
      expect(person!.split ?? 'tune').toBe('tune');
    }
    // room-wait: the 12-18 dB files again (same room and level draws), the person waiting 10 s longer
    for (const x of stress.filter((s) => s.kind === 'room-wait')) {
      const twin = byId.get(x.id.replace('room-wait', 'room-12-18'))!;
      expect(x.background).toEqual(twin.background);
      const ms = (s: typeof x) => s.parts.reduce((t, p) => t + ('ms' in p ? p.ms : 0), 0);
      expect(ms(x) - ms(twin)).toBe(10_000);
    }
  });
});
