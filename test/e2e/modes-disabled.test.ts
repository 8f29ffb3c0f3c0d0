// machineDetection "disabled" on live calls: whatever answers (a human, a voicemail, a fax, silence) is
// bridged to the bot at once, with no AMD: no AMD events, X-Machine-Detection "disabled", and the bot hears
// the callee from the first packet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER, decodeBase64UrlJson, eventNames, farEndResult, shareOfRecording, startLiveScene, type LiveCall, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';
import { testMediaMode } from '../support/freeswitch-server.js';

let scene: LiveScene;
let finals: Map<string, any>;
let records: Map<string, any>;

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'human', dialect: 'audiocodes', mode: 'disabled', audio: 'human', bot: { scenario: 'bot-answer-bye', byeAfterMs: 2500 }, botConfig: { sendEventsToBot: ['dialoutInitiated'] } },
    { name: 'voicemail', dialect: 'kore', mode: 'disabled', audio: 'voicemail', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 2500 } },
    { name: 'fax', dialect: 'audiocodes', mode: 'disabled', audio: 'fax', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 2500 } },
    { name: 'silence', dialect: 'kore', mode: 'disabled', audio: 'silence', bot: { scenario: 'bot-answer-bye', byeAfterMs: 2000 } },
  ]);
  ({ finals, records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

function expectBridgedAtOnce(c: LiveCall): void {
  const invite = c.botInvite();
  expect(invite, 'the bot was INVITEd').toBeDefined();
  expect(invite!.header('X-Machine-Detection')).toBe('disabled');
  expect(invite!.header('X-Conversation-Id')).toBe(c.conversationId);
  expect(invite!.header('X-Caller')).toBe(CALLER);
  expect(decodeBase64UrlJson(invite!.header('X-Dialout-Metadata'))).toEqual(c.spec.metadata);
  expect(records.get(c.spec.name).amdEvents).toEqual([]);
  expect(c.botInfos()).toEqual(c.botEvents().filter((e) => e.name !== 'dialoutInitiated'));
  expect(c.carrier.recorder!.dominantFrequency()).toBe(440);
  // in freeswitch mode FreeSWITCH sends the bot silence until the callee's audio reaches the bridge
  const heard = shareOfRecording(c.bot.recorder, scene.audio.files[c.spec.audio].ulaw, { silenceFill: testMediaMode() === 'freeswitch' });
  expect(heard.packets).toBeGreaterThan(50);
  expect(heard.share).toBeGreaterThan(0.95);
}

const call = (name: string): LiveCall => scene.call(name);

describe('machineDetection disabled', () => {
  it('bridges a human at once: the bot hears "Hello?" itself and hangs up (bot-disconnected)', async () => {
    const c = call('human');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    expect(finals.get('human')).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected' });
    expectBridgedAtOnce(c);
    expect(eventNames(c.botEvents())).toEqual(['dialoutInitiated', 'start']);
    // The greeting's speech (427–874 ms into the recording) reaches the bot: no AMD holds the audio back.
    expect(c.bot.recorder!.rms({ fromMs: 0, toMs: 1500 })).toBeGreaterThan(500);
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('bridges a voicemail at once; Kore reports machineDetection "disabled" and no Call-In-Progress', async () => {
    const c = call('voicemail');
    expect(c.notifications().map((n) => n.status)).toEqual(['Answered', 'completed']);
    expect(finals.get('voicemail')).toMatchObject({ status: 'completed', reasonCode: 'caller-disconnected', machineDetection: 'disabled' });
    expectBridgedAtOnce(c);
    expect(eventNames(c.botEvents())).toEqual(['start']);
    expect(await farEndResult(c.bot)).toEqual({ exitCode: 0, errors: '' });
  });

  it('bridges a fax at once: the bot hears the 1100 Hz tone', async () => {
    const c = call('fax');
    expect(finals.get('fax')).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expectBridgedAtOnce(c);
    // the tone plays 200-700 ms into the callee's audio; where it lands in the bot's recording depends on when
    // the bridge was made (in freeswitch mode, after FreeSWITCH has both legs' SDP), so the whole recording is
    // searched: half a second of tone outweighs the silence around it
    expect(c.bot.recorder!.dominantFrequency()).toBe(1100);
  });

  it('bridges silence at once', async () => {
    const c = call('silence');
    expect(finals.get('silence')).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', machineDetection: 'disabled' });
    expect(finals.get('silence').amdInfo).toBeUndefined();
    expectBridgedAtOnce(c);
  });
});
