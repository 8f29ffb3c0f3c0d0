// media.mode freeswitch: calls anchored at a real FreeSWITCH (FREESWITCH_BIN, configured from docker/freeswitch/)
// through drachtio-fsmrf and a real drachtio-server. The callee's audio reaches AMD through an eavesdropping
// FreeSWITCH endpoint (docs/media.md): the live decision and its offset equal `outdial amd` on the same file
// (±200 ms), the call ends with the final notification, and a human is bridged to the bot through FreeSWITCH.
process.env.OUTDIAL_TEST_MEDIA = 'freeswitch';
const { afterAll, beforeAll, describe, expect, it } = await import('vitest');
const { detectFile } = await import('../../src/amd/index.js');
const { pcmWavOf, startLiveScene } = await import('../support/live-call.js');
const { stopAllSipp } = await import('../support/sipp.js');

let scene: Awaited<ReturnType<typeof startLiveScene>>;
let records: Map<string, any>;
let finals: Map<string, any>;
const decisions = new Set(['amd_human_detected', 'amd_machine_detected', 'amd_no_speech_detected', 'amd_decision_timeout']);

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'human', dialect: 'audiocodes', mode: 'detect', audio: 'human', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 3000 } },
    { name: 'voicemail', dialect: 'audiocodes', mode: 'detect', audio: 'voicemail', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 10500 } },
    { name: 'silence', dialect: 'audiocodes', mode: 'detect', audio: 'silence', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 6000 } },
    // A fax's first CNG burst must be heard whole and alone: hung up as "fax detected", not taken for a beep.
    { name: 'fax', dialect: 'audiocodes', mode: 'detect', audio: 'fax' },
  ]);
  ({ finals, records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

describe('media.mode freeswitch: live AMD through FreeSWITCH equals offline AMD on the same audio', () => {
  for (const name of ['human', 'voicemail', 'fax', 'silence'] as const) {
    it(`${name}: same decision and reason, offset within 200 ms; the call ends with its final notification`, () => {
      const file = detectFile(pcmWavOf(scene.audio.files[name].ulaw)).filter((e) => e.type !== 'amd_stopped');
      const live = (records.get(name).amdEvents as any[]).filter((e) => e.type !== 'amd_stopped');
      const fileDecision = file.find((e) => decisions.has(e.type)) as any;
      const liveDecision = live.find((e) => decisions.has(e.type));
      expect(fileDecision).toBeDefined();
      expect({ type: liveDecision?.type, reason: liveDecision?.reason }).toEqual({ type: fileDecision.type, reason: fileDecision.reason });
      expect(Math.abs(liveDecision.atMs - fileDecision.atMs), `live ${liveDecision.atMs} ms, file ${fileDecision.atMs} ms`).toBeLessThanOrEqual(200);
      expect(finals.get(name).status).toBe('completed');
    });
  }

  it('the human was bridged to the bot: the bot got the INVITE and answered', () => {
    const human = scene.call('human');
    expect(human.botInvite()).toBeDefined();
    expect(records.get('human').status).toBe('completed');
  });
});
