// A person decision that turns out wrong, on live calls: the callee says "Hello?" (decided human and bridged),
// then a recorder's beep comes 1.7 s after the words. The first decision stands; detect mode tells the bot
// voicemail-prompt-start and voicemail-prompt-end-beep, disconnect mode hangs up on the beep
// (docs/amd.md, "After a human decision"). A plain "Hello?" stays bridged.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePcmu } from '../../src/media/index.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { eventNames, startLiveScene, type LiveCall, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';
import { rtpPcap } from '../../demo/index.js';

let scene: LiveScene;
let beepStartMs = 0;
let finals: Map<string, any>;
let records: Map<string, any>;
const call = (name: string): LiveCall => scene.call(name);

/** The kit's "Hello?" with a 400 ms 1000 Hz beep 1.7 s after the words. */
async function helloThenBeep(): Promise<{ pcap: string; ulaw: string }> {
  const audio = await e2eAudio();
  const hello = Buffer.from(readFileSync(audio.files.human.ulaw));
  beepStartMs = Math.round((audio.labels.human.speechEndMs! + 1700) / 20) * 20;
  const tone = new Int16Array(3200);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  Buffer.from(encodePcmu(tone)).copy(hello, beepStartMs * 8);
  const dir = mkdtempSync(join(tmpdir(), 'hello-beep-'));
  writeFileSync(join(dir, 'hello-beep.ulaw'), hello);
  writeFileSync(join(dir, 'hello-beep.pcap'), rtpPcap(hello, 0));
  return { pcap: join(dir, 'hello-beep.pcap'), ulaw: join(dir, 'hello-beep.ulaw') };
}

beforeAll(async () => {
  const recording = await helloThenBeep();
  scene = await startLiveScene([
    { name: 'detect', dialect: 'audiocodes', mode: 'detect', audio: 'human', recording, bot: { scenario: 'bot-answer-bye', byeAfterMs: 5500 } },
    { name: 'disconnect', dialect: 'audiocodes', mode: 'disconnect', audio: 'human', recording },
    { name: 'person', dialect: 'audiocodes', mode: 'disconnect', audio: 'human', bot: { scenario: 'bot-answer-bye', byeAfterMs: 6500 } },
  ]);
  ({ finals, records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

const types = (record: any): string[] => record.amdEvents.map((e: any) => e.type);

describe('AMD after a human decision', () => {
  it('detect: the call stays a human call; the bot is told the prompt started, then ended on the beep', () => {
    const c = call('detect');
    const record = records.get('detect');
    expect(types(record).slice(0, 3)).toEqual(['amd_human_detected', 'amd_machine_after_human', 'amd_tone_detected']);
    const late = record.amdEvents[1];
    expect(late.evidence).toBe('beep');
    expect(late.atMs).toBeGreaterThanOrEqual(beepStartMs);
    expect(late.atMs).toBeLessThan(beepStartMs + 300);
    expect(c.botInvite()!.header('X-Machine-Detection')).toBe('amd_human_detected');
    expect(eventNames(c.botEvents())).toEqual(['start', 'machineDetection:voicemail-prompt-start', 'machineDetection:voicemail-prompt-end-beep']);
    expect(record.voicemailOutcome).toBe('voicemail beep');
    expect(finals.get('detect')).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected' });
  });

  it('disconnect: bridged as a person, then hung up on the beep as a machine', () => {
    const c = call('disconnect');
    const record = records.get('disconnect');
    expect(types(record).slice(0, 2)).toEqual(['amd_human_detected', 'amd_machine_after_human']);
    expect(c.botInvite(), 'the bot was INVITEd for the person').toBeDefined();
    expect(record.machineDetected).toBe(true);
    expect(finals.get('disconnect')).toMatchObject({ status: 'completed', reasonCode: 'machine-detected' });
  });

  it('a person who only says "Hello?" stays bridged; AMD stops 5 s after the decision', () => {
    const record = records.get('person');
    expect(types(record)).toEqual(['amd_human_detected', 'amd_stopped']);
    expect(record.amdEvents[1].atMs - record.amdEvents[0].atMs).toBeGreaterThanOrEqual(5000);
    expect(record.machineDetected).toBeUndefined();
    expect(finals.get('person')).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected' });
  });
});
