// machineDetection "disconnect" on live calls: a SIPp carrier plays a human, a voicemail, a fax or silence;
// a human (and, by default, silence) is bridged to a SIPp bot, a machine or fax is hung up with the
// seeds' final notification. All six calls run at once, each with its own carrier and bot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calleeOf } from '../../src/calls/index.js';
import {
  CALLER,
  decodeBase64UrlJson,
  eventNames,
  farEndResult,
  shareOfRecording,
  startLiveScene,
  type LiveCall,
  type LiveScene,
} from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';
import { testMediaMode } from '../support/freeswitch-server.js';

let scene: LiveScene;
let finals: Map<string, any>;
let records: Map<string, any>;
const call = (name: string): LiveCall => scene.call(name);

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'kore human', dialect: 'kore', mode: 'disconnect', audio: 'human', bot: { scenario: 'bot-answer-bye', byeAfterMs: 2500 } },
    { name: 'kore voicemail, no AMD events', dialect: 'kore', mode: 'disconnect', audio: 'voicemail', body: { amdEventsSubscription: [] } },
    { name: 'kore fax, decisions only', dialect: 'kore', mode: 'disconnect', audio: 'fax', body: { amdEventsSubscription: ['amd_machine_detected'] } },
    { name: 'kore silence', dialect: 'kore', mode: 'disconnect', audio: 'silence', bot: { scenario: 'bot-answer-bye', byeAfterMs: 1500 } },
    { name: 'audiocodes voicemail', dialect: 'audiocodes', mode: 'disconnect', audio: 'voicemail', botConfig: { sendEventsToBot: ['dialoutInitiated'] } },
    { name: 'audiocodes fax', dialect: 'audiocodes', mode: 'disconnect', audio: 'fax' },
  ]);
  ({ finals, records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

/** Kore: Answered, one Call-In-Progress per subscribed AMD event in the record's order, then the final. */
function expectKoreSequence(c: LiveCall, record: any, subscription?: string[]): void {
  const amd = (record.amdEvents as { type: string }[]).map((e) => e.type).filter((t) => subscription === undefined || subscription.includes(t));
  const seen = c.notifications().map((n) => (n.status === 'Call-In-Progress' ? `${n.status}:${n.machineDetection}` : n.status));
  expect(seen).toEqual(['Answered', ...amd.map((t) => `Call-In-Progress:${t}`), 'completed']);
  for (const n of c.notifications()) expect(n.conversationId).toBe(c.conversationId);
}

function expectBridged(c: LiveCall, machineDetection: string): void {
  const invite = c.botInvite();
  expect(invite, 'the bot was INVITEd').toBeDefined();
  expect(invite!.header('X-Conversation-Id')).toBe(c.conversationId);
  expect(decodeBase64UrlJson(invite!.header('X-Dialout-Metadata'))).toEqual(c.spec.metadata);
  expect(invite!.header('X-Caller')).toBe(CALLER);
  expect(invite!.header('X-Callee')).toBe(calleeOf(`sip:callee${c.botName.slice(3)}@${c.carrier.address}`));
  expect(invite!.header('X-Machine-Detection')).toBe(machineDetection);
  const start = c.botEvents().find((e) => e.name === 'start');
  expect(start?.parameters).toMatchObject({ callee: invite!.header('X-Callee'), caller: CALLER, dialoutMetadata: c.spec.metadata });
  expect(c.botInfos()).toEqual(c.botEvents().filter((e) => e.name !== 'dialoutInitiated'));
  // Both ways through the relay: the callee hears the bot's 440 Hz, the bot hears the callee's recording.
  expect(c.carrier.recorder!.packets().length).toBeGreaterThan(25);
  expect(c.carrier.recorder!.dominantFrequency()).toBe(440);
  // in freeswitch mode FreeSWITCH sends the bot silence until the callee's audio reaches the bridge
  const heard = shareOfRecording(c.bot.recorder, scene.audio.files[c.spec.audio].ulaw, { silenceFill: testMediaMode() === 'freeswitch' });
  expect(heard.packets).toBeGreaterThan(25);
  expect(heard.share).toBeGreaterThan(0.95);
}

describe('machineDetection disconnect', () => {
  it('bridges a human to the bot, which hangs up: Kore bot-disconnected with amd_human_detected', async () => {
    const c = call('kore human');
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', reason: '200 OK', machineDetection: 'amd_human_detected' });
    expectKoreSequence(c, records.get(c.spec.name));
    expect(records.get(c.spec.name).amdEvents[0]).toMatchObject({ type: 'amd_human_detected' });
    expectBridged(c, 'amd_human_detected');
    expect(eventNames(c.botEvents())).toEqual(['start']);
    expect((await farEndResult(c.bot)).exitCode).toBe(0);
    // The bot's BYE ends the callee's leg with a BYE from outdial.
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
  });

  it('hangs up on a voicemail: Kore SAVG-disconnected, amd_machine_detected, no Call-In-Progress with an empty subscription', async () => {
    const c = call('kore voicemail, no AMD events');
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'SAVG-disconnected', machineDetection: 'amd_machine_detected' });
    expect(final.amdInfo).toMatchObject({ amdReason: 'long greeting' });
    const record = records.get(c.spec.name);
    expectKoreSequence(c, record, []);
    expect(record.machineDetected).toBe(true);
    expect(record.amdEvents[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'long greeting' });
    expect(c.botInvite()).toBeUndefined();
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
  });

  it('hangs up on a fax: Kore SAVG-disconnected, only the subscribed amd_machine_detected as Call-In-Progress', async () => {
    const c = call('kore fax, decisions only');
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'SAVG-disconnected', machineDetection: 'amd_machine_detected' });
    const record = records.get(c.spec.name);
    expectKoreSequence(c, record, ['amd_machine_detected']);
    expect(c.notifications().filter((n) => n.status === 'Call-In-Progress')).toHaveLength(1);
    expect(record.amdEvents[0]).toMatchObject({ type: 'amd_machine_detected', reason: 'fax' });
    expect(record.machineDetected).toBe(true);
    expect(c.botInvite()).toBeUndefined();
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('bridges silence by default once no speech is declared', async () => {
    const c = call('kore silence');
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', machineDetection: 'amd_no_speech_detected' });
    const record = records.get(c.spec.name);
    expectKoreSequence(c, record);
    expect(record.amdEvents[0]).toMatchObject({ type: 'amd_no_speech_detected', atMs: 5000 });
    expect(record.machineDetected).toBeUndefined();
    expectBridged(c, 'amd_no_speech_detected');
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('AudioCodes: a voicemail ends completed machine-detected "voicemail detected"; the bot only hears dialoutInitiated', async () => {
    const c = call('audiocodes voicemail');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'machine-detected', reason: 'voicemail detected' });
    expect(finals.get(c.spec.name).machineDetection).toBeUndefined();
    expect(records.get(c.spec.name).machineDetected).toBe(true);
    expect(eventNames(c.botEvents())).toEqual(['dialoutInitiated']);
    expect(c.botEvents()[0].parameters).toMatchObject({ caller: CALLER, dialoutMetadata: c.spec.metadata });
    expect(c.botInvite()).toBeUndefined();
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('AudioCodes: a fax ends completed machine-detected "fax detected"', async () => {
    const c = call('audiocodes fax');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'machine-detected', reason: 'fax detected' });
    expect(c.botInvite()).toBeUndefined();
    expect(c.botEvents()).toEqual([]);
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });
});
