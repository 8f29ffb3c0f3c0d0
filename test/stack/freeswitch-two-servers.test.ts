// media.mode freeswitch with two FreeSWITCH servers: a new call goes to the server with the fewest calls, but a
// bot leg must go where its callee's leg is (FreeSWITCH bridges only channels it holds). With one call up, the
// other server has fewer calls, so the bot leg placed there would never be bridged: the bot must hear the callee.
process.env.OUTDIAL_TEST_MEDIA = 'freeswitch';
const { describe, expect, it } = await import('vitest');
const { dialoutAudiocodes } = await import('../support/daemon.js');
const { e2eAudio } = await import('../support/e2e-audio.js');
const { startFreeswitch } = await import('../support/freeswitch-server.js');
const { shareOfRecording } = await import('../support/live-call.js');
const { startNotifyListener } = await import('../support/notify-listener.js');
const { callSetup, onCleanup, useCleanup } = await import('../e2e/dialout-fixture.js');

useCleanup();

describe('media.mode freeswitch with two servers', () => {
  it("puts the bot leg on the callee's server: the bot hears the callee through the bridge", async () => {
    const servers = await Promise.all([startFreeswitch(), startFreeswitch()]);
    for (const s of servers) onCleanup(() => s.stop());
    const notify = await startNotifyListener();
    onCleanup(() => notify.close());
    const { bot, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio-bye', audio: 'human', byeAfterMs: 4000 },
      { bot: { scenario: 'bot-answer', audio: 'bot' }, overrides: { media: { mode: 'freeswitch', freeswitch: servers.map((s) => s.esl) } } },
    );
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230010', machineDetection: 'disabled', notifyUrl: notify.url('/two') });
    expect(placed.status).toBe(200);
    const final = await notify.waitFor((n) => (n.body as any)?.status === 'completed', 20_000);
    expect(final.body).toMatchObject({ reasonCode: 'client-disconnected' });
    await bot!.waitForRequest('BYE', 5000);
    const heard = shareOfRecording(bot!.recorder, (await e2eAudio()).files.human.ulaw, { silenceFill: true });
    expect(heard.packets).toBeGreaterThan(25);
    expect(heard.share).toBeGreaterThan(0.95);
  });
});
