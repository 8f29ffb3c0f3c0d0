// machineDetection "detect" on live calls: a fax is hung up; a human or silence is bridged; an answering
// machine is bridged too and the bot is told voicemail-prompt-start, then voicemail-prompt-end-beep on the
// beep (or when voicemailEndTimeoutSec passes without one), with the AudioCodes final machineDetection
// "voicemail beep" / "voicemail timeout". AMD keeps listening after the bridge to hear the beep.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAudio } from '../support/e2e-audio.js';
import {
  CALLER,
  calleeRecording,
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
import { rtpPcap } from '../../demo/index.js';

let scene: LiveScene;
let finals: Map<string, any>;
let records: Map<string, any>;
const call = (name: string): LiveCall => scene.call(name);

/** The kit's voicemail with its beep and the rest replaced by the line noise of the silence recording. */
async function voicemailWithoutBeep(): Promise<{ pcap: string; ulaw: string }> {
  const audio = await e2eAudio();
  const vm = readFileSync(audio.files.voicemail.ulaw);
  const noise = readFileSync(audio.files.silence.ulaw);
  const cut = Math.floor((audio.labels.voicemail.beepStartMs! * 8) / 160) * 160;
  const ulaw = Buffer.concat([vm.subarray(0, cut), noise.subarray(0, vm.length - cut)]);
  const dir = mkdtempSync(join(tmpdir(), 'vm-no-beep-'));
  writeFileSync(join(dir, 'vm-no-beep.ulaw'), ulaw);
  writeFileSync(join(dir, 'vm-no-beep.pcap'), rtpPcap(ulaw, 0));
  return { pcap: join(dir, 'vm-no-beep.pcap'), ulaw: join(dir, 'vm-no-beep.ulaw') };
}

beforeAll(async () => {
  const noBeep = await voicemailWithoutBeep();
  const events = { sendEventsToBot: ['dialoutInitiated'] };
  scene = await startLiveScene([
    { name: 'human', dialect: 'audiocodes', mode: 'detect', audio: 'human', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 3500 }, botConfig: events },
    { name: 'voicemail with beep', dialect: 'audiocodes', mode: 'detect', audio: 'voicemail', bot: { scenario: 'bot-answer-bye', byeAfterMs: 6500 } },
    {
      name: 'voicemail without beep',
      dialect: 'audiocodes',
      mode: 'detect',
      audio: 'voicemail',
      recording: noBeep,
      body: { voicemailEndTimeoutSec: 2 },
      bot: { scenario: 'bot-answer-bye', byeAfterMs: 4000 },
    },
    { name: 'fax', dialect: 'audiocodes', mode: 'detect', audio: 'fax', botConfig: events },
    { name: 'silence', dialect: 'audiocodes', mode: 'detect', audio: 'silence', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 7000 } },
    {
      name: 'kore voicemail',
      dialect: 'kore',
      mode: 'detect',
      audio: 'voicemail',
      body: { amdEventsSubscription: ['amd_machine_detected', 'amd_tone_detected'] },
      bot: { scenario: 'bot-answer-bye', byeAfterMs: 6500 },
    },
  ]);
  ({ finals, records } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

function expectBridged(c: LiveCall, machineDetection: string): void {
  const invite = c.botInvite();
  expect(invite, 'the bot was INVITEd').toBeDefined();
  expect(invite!.header('X-Conversation-Id')).toBe(c.conversationId);
  expect(decodeBase64UrlJson(invite!.header('X-Dialout-Metadata'))).toEqual(c.spec.metadata);
  expect(invite!.header('X-Caller')).toBe(CALLER);
  expect(invite!.header('X-Callee')).toMatch(/^sip:callee\d+@127\.0\.0\.1:\d+$/);
  expect(invite!.header('X-Machine-Detection')).toBe(machineDetection);
  expect(c.botEvents().find((e) => e.name === 'start')?.parameters).toMatchObject({ caller: CALLER, dialoutMetadata: c.spec.metadata });
  // The same events reach the bot as SIP INFO bodies on its leg (dialoutInitiated comes before there is a leg).
  expect(c.botInfos()).toEqual(c.botEvents().filter((e) => e.name !== 'dialoutInitiated'));
  expect(c.carrier.recorder!.dominantFrequency()).toBe(440);
  const heard = shareOfRecording(c.bot.recorder, calleeRecording(scene, c), { silenceFill: testMediaMode() === 'freeswitch' });
  expect(heard.packets).toBeGreaterThan(25);
  expect(heard.share).toBeGreaterThan(0.95);
}

describe('machineDetection detect', () => {
  it('bridges a human; the callee hangs up: client-disconnected, the bot gets dialoutInitiated then start', async () => {
    const c = call('human');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(final.machineDetection).toBeUndefined();
    expectBridged(c, 'amd_human_detected');
    expect(eventNames(c.botEvents())).toEqual(['dialoutInitiated', 'start']);
    // The callee's BYE is passed on to the bot.
    expect(await farEndResult(c.bot)).toEqual({ exitCode: 0, errors: '' });
    expect(c.bot.received('BYE')).toBeDefined();
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('bridges a voicemail and tells the bot prompt start, then prompt end on the beep: "voicemail beep"', async () => {
    const c = call('voicemail with beep');
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', machineDetection: 'voicemail beep' });
    expectBridged(c, 'amd_machine_detected');
    expect(eventNames(c.botEvents())).toEqual(['start', 'machineDetection:voicemail-prompt-start', 'machineDetection:voicemail-prompt-end-beep']);
    const record = records.get(c.spec.name);
    expect(record.voicemailOutcome).toBe('voicemail beep');
    // Bridged, not hung up on: the call did not end because of the machine.
    expect(record.machineDetected).toBeUndefined();
    const types = record.amdEvents.map((e: any) => e.type);
    expect(types.slice(0, 2)).toEqual(['amd_machine_detected', 'amd_tone_detected']);
    const tone = record.amdEvents.find((e: any) => e.type === 'amd_tone_detected');
    expect(tone.frequency).toBe(1000);
    expect(Math.abs(tone.atMs - scene.audio.labels.voicemail.beepStartMs!)).toBeLessThanOrEqual(300);
    // The bot hears the beep itself: the relay kept running while AMD listened.
    const heardMs = (c.bot.recorder!.pcm().length / 8) | 0;
    const beepWindows = [];
    for (let at = 0; at + 200 <= heardMs; at += 100) {
      if (c.bot.recorder!.dominantFrequency({ fromMs: at, toMs: at + 200 }) === 1000) beepWindows.push(at);
    }
    expect(beepWindows.length).toBeGreaterThanOrEqual(3);
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('a voicemail without a beep ends the prompt when voicemailEndTimeoutSec passes: "voicemail timeout"', async () => {
    const c = call('voicemail without beep');
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', machineDetection: 'voicemail timeout' });
    expectBridged(c, 'amd_machine_detected');
    expect(eventNames(c.botEvents())).toEqual(['start', 'machineDetection:voicemail-prompt-start', 'machineDetection:voicemail-prompt-end-beep']);
    const record = records.get(c.spec.name);
    expect(record.voicemailOutcome).toBe('voicemail timeout');
    expect(record.amdEvents.map((e: any) => e.type)).not.toContain('amd_tone_detected');
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
  });

  it('hangs up on a fax: machine-detected "fax detected", the bot never INVITEd', async () => {
    const c = call('fax');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'machine-detected', reason: 'fax detected' });
    expect(records.get(c.spec.name).machineDetected).toBe(true);
    expect(c.botInvite()).toBeUndefined();
    expect(eventNames(c.botEvents())).toEqual(['dialoutInitiated']);
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
  });

  it('bridges silence after no speech is declared', async () => {
    const c = call('silence');
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(records.get(c.spec.name).amdEvents[0]).toMatchObject({ type: 'amd_no_speech_detected', atMs: 5000 });
    expectBridged(c, 'amd_no_speech_detected');
    expect(eventNames(c.botEvents())).toEqual(['start']);
  });

  it('Kore: Call-In-Progress for the subscribed machine and tone events in order; the bot still gets the beep events', async () => {
    const c = call('kore voicemail');
    const seen = c.notifications().map((n) => (n.status === 'Call-In-Progress' ? `${n.status}:${n.machineDetection}` : n.status));
    expect(seen).toEqual(['Answered', 'Call-In-Progress:amd_machine_detected', 'Call-In-Progress:amd_tone_detected', 'completed']);
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'bot-disconnected', machineDetection: 'amd_machine_detected' });
    expectBridged(c, 'amd_machine_detected');
    expect(eventNames(c.botEvents())).toEqual(['start', 'machineDetection:voicemail-prompt-start', 'machineDetection:voicemail-prompt-end-beep']);
  });
});
