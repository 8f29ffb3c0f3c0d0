// The AMD picture of live calls: GET /api/v1/calls/:id/amd.svg draws what AMD heard on the call and every
// AMD event the record holds; the record keeps a bounded audio summary for it.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_AUTH } from '../support/daemon.js';
import { startLiveScene, type LiveCall, type LiveScene } from '../support/live-call.js';
import { stopAllSipp } from '../support/sipp.js';

let scene: LiveScene;
const call = (name: string): LiveCall => scene.call(name);
const plot = (id: string, auth: string | undefined = BASIC_AUTH) =>
  fetch(`${scene.daemon.url}/api/v1/calls/${id}/amd.svg`, { headers: auth ? { authorization: auth } : {} });

beforeAll(async () => {
  scene = await startLiveScene([
    { name: 'voicemail', dialect: 'kore', mode: 'disconnect', audio: 'voicemail' },
    { name: 'no amd', dialect: 'audiocodes', mode: 'disabled', audio: 'human', carrier: { scenario: 'carrier-answer-audio-bye', byeAfterMs: 1500 } },
  ]);
  await Promise.all(scene.calls.map((c) => c.final(40_000)));
}, 90_000);

afterAll(async () => {
  await scene?.stop();
  await stopAllSipp();
});

describe('GET /api/v1/calls/:id/amd.svg', () => {
  it("draws a finished call's level, speech and every AMD event of its record", async () => {
    const c = call('voicemail');
    const record = await c.record();
    expect(record.amdEvents.map((e: { type: string }) => e.type)).toContain('amd_machine_detected');
    // The summary covers what AMD listened to, bounded.
    expect(record.amdAudio.bucketMs).toBe(100);
    expect(record.amdAudio.durationMs).toBeGreaterThanOrEqual(record.amdEvents.find((e: { type: string }) => e.type === 'amd_machine_detected').atMs - 100);
    expect(record.amdAudio.levelsDb.length).toBeLessThanOrEqual(600);
    expect(record.amdAudio.speech.length).toBeGreaterThan(2);
    expect(JSON.stringify(record.amdAudio).length).toBeLessThan(16_000);

    const res = await plot(c.conversationId);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await res.text();
    if (process.env.OUTDIAL_PLOT_OUT) writeFileSync(process.env.OUTDIAL_PLOT_OUT, svg);
    const drawn = [...svg.matchAll(/<g class="event" data-type="([^"]+)" data-at-ms="(\d+)">/g)].map((m) => ({ type: m[1], atMs: Number(m[2]) }));
    expect(drawn).toEqual(record.amdEvents.map((e: { type: string; atMs: number }) => ({ type: e.type, atMs: e.atMs })));
    expect(svg).toContain(c.conversationId);
    expect(svg).toContain('reason=long greeting');
  });

  it('404 for a call without AMD and for an unknown call; 401 without credentials', async () => {
    const none = await plot(call('no amd').conversationId);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toMatch(/no AMD audio summary/);
    expect((await plot('no-such-call')).status).toBe(404);
    expect((await plot(call('voicemail').conversationId, '')).status).toBe(401);
  });
});
