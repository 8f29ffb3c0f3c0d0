// The bot leg going wrong on a live call: a bot that rejects the INVITE, or never answers it, ends the call
// with an error notification and a BYE to the callee, never a hung callee. Both calls run at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventNames, farEndResult, startLiveScene, type LiveCall, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';

let scene: LiveScene;
let finals: Map<string, any>;
const call = (name: string): LiveCall => scene.call(name);

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'bot rejects', dialect: 'audiocodes', mode: 'disconnect', audio: 'human', bot: { scenario: 'bot-reject' } },
    // carrier-no-answer rings until CANCELled: a bot that never answers (the daemon gives it 3 s).
    { name: 'bot never answers', dialect: 'audiocodes', mode: 'disabled', audio: 'voicemail', bot: { scenario: 'carrier-no-answer' } },
    { name: 'kore bot rejects', dialect: 'kore', mode: 'detect', audio: 'voicemail', bot: { scenario: 'bot-reject', ringMs: 300 } },
  ]);
  ({ finals } = await scene.ends());
}, 60_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

describe('bot leg failures', () => {
  it('a bot answering 503 ends the call: completed error naming the 503, BYE to the callee', async () => {
    const c = call('bot rejects');
    expect(c.notifications().map((n) => n.status)).toEqual(['answered', 'completed']);
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'error' });
    expect(final.reason).toMatch(/bot.*503/);
    expect(c.botInvite()!.header('X-Machine-Detection')).toBe('amd_human_detected');
    expect(await farEndResult(c.bot)).toEqual({ exitCode: 0, errors: '' });
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
    expect(eventNames(c.botEvents())).toEqual([]);
    const record = await c.record();
    expect(record).toMatchObject({ status: 'completed', reasonCode: 'error' });
  });

  it('a bot that never answers is CANCELled after the bot answer timeout; the callee gets a BYE', async () => {
    const c = call('bot never answers');
    const final = finals.get(c.spec.name);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'error' });
    expect(final.reason).toMatch(/bot/);
    expect(c.bot.received('CANCEL')).toBeDefined();
    expect(await farEndResult(c.bot)).toEqual({ exitCode: 0, errors: '' });
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
    // The callee was bridged nowhere: the bot's SDP never came, so nothing was relayed to the callee.
    expect(c.carrier.recorder!.packets().length).toBe(0);
  });

  it('Kore: a rejecting bot in detect mode ends SAVG-disconnected after the machine Call-In-Progress', async () => {
    const c = call('kore bot rejects');
    const statuses = c.notifications().map((n) => n.status);
    expect(statuses[0]).toBe('Answered');
    expect(statuses.at(-1)).toBe('completed');
    expect(c.notifications().find((n) => n.status === 'Call-In-Progress')?.machineDetection).toBe('amd_machine_detected');
    expect(finals.get(c.spec.name)).toMatchObject({ status: 'completed', reasonCode: 'SAVG-disconnected', machineDetection: 'amd_machine_detected' });
    expect(await farEndResult(c.carrier)).toEqual({ exitCode: 0, errors: '' });
    expect(c.carrier.received('BYE')).toBeDefined();
  });
});
