import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectFile, type AmdEvent } from '../../src/amd/index.js';
import { CACHE_DIR, generateCorpus, type CorpusLabel } from '../fixtures/amd/corpus.js';

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
const tones = (id: string) => events.get(id)!.filter((e) => e.type === 'amd_tone_detected');

describe('AMD engine on corpus files (espeak-ng speech through G.711)', () => {
  it('calls human answers human within 2.5 s of the end of their first sentence', () => {
    // both first utterances run 1.4 s or more: as long as a greeting's first sentence, which may pause
    // before going on, so the engine waits longer on them than on a bare "hello?" (engine.test.ts holds
    // that case to under 0.9 s; docs/amd.md, "How long to wait")
    for (const [id, within] of [['human-001', 2500], ['human-031', 2500]] as const) {
      const e = first(id);
      expect(e).toMatchObject({ type: 'amd_human_detected' });
      const after = e.atMs - labels.get(id)!.speechEndMs!;
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThan(within);
    }
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
});
