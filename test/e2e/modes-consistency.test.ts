// The AMD decision on a live call is the one `outdial amd` (detectFile) makes on the same audio: the engine's
// clock is the audio, so RTP over a real socket and a WAV file give the same events at the same offsets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFile, type AmdEvent } from '../../src/amd/index.js';
import { pcmWavOf, startLiveScene, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';

let scene: LiveScene;
let records: Map<string, any>;
const decisions = new Set(['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout']);

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'human', dialect: 'audiocodes', mode: 'detect', audio: 'human', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 3000 } },
    { name: 'voicemail', dialect: 'audiocodes', mode: 'detect', audio: 'voicemail', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 10500 } },
    { name: 'fax', dialect: 'audiocodes', mode: 'detect', audio: 'fax' },
    { name: 'silence', dialect: 'audiocodes', mode: 'detect', audio: 'silence', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 6000 } },
  ]);
  ({ records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

function offline(name: 'human' | 'voicemail' | 'fax' | 'silence'): AmdEvent[] {
  return detectFile(pcmWavOf(scene.audio.files[name].ulaw));
}

describe('live AMD equals offline AMD on the same audio', () => {
  for (const name of ['human', 'voicemail', 'fax', 'silence'] as const) {
    it(`${name}: same decision, reason and offset; every live event is the offline run's up to where AMD stopped`, () => {
      const file = offline(name).filter((e) => e.type !== 'amd_stopped');
      const live = (records.get(name).amdEvents as any[]).filter((e) => e.type !== 'amd_stopped');
      const fileDecision = file.find((e) => decisions.has(e.type)) as any;
      const liveDecision = live.find((e) => decisions.has(e.type));
      expect(fileDecision).toBeDefined();
      expect({ type: liveDecision?.type, reason: liveDecision?.reason }).toEqual({ type: fileDecision.type, reason: fileDecision.reason });
      // Offsets match to the frame on an idle machine; a loaded one delays packets past the reorder deadline,
      // which shifts the live timeline by a few frames, so allow 200 ms.
      expect(Math.abs(liveDecision.atMs - fileDecision.atMs)).toBeLessThanOrEqual(200);
      const pick = (e: any) => ({ type: e.type, ...(e.frequency !== undefined && { frequency: e.frequency }) });
      expect(live.map(pick)).toEqual(file.slice(0, live.length).map(pick));
      live.forEach((e, i) => expect(Math.abs(e.atMs - file[i]!.atMs), e.type).toBeLessThanOrEqual(200));
    });
  }

  it('the voicemail run heard the beep and the end of the greeting live, as offline', () => {
    expect(records.get('voicemail').amdEvents.map((e: any) => e.type)).toEqual(expect.arrayContaining(['amd_tone_detected', 'amd_machine_stopped_speaking']));
  });
});
