// media.mode freeswitch: the FreeSWITCH a call is anchored at dies mid-call (SIGKILL). The call ends at once
// with its final notification (not when calls.rtpTimeoutSec runs out), both far ends get a BYE, /healthz shows
// the server down, /readyz is not ready and a new dialout is refused with 503 while no server is up. Started
// again on the same event socket, it is connected again and takes the next call. A FreeSWITCH that freezes
// (SIGSTOP) or dies while a call's endpoints are being made fails that call with its final notification.
process.env.OUTDIAL_TEST_MEDIA = 'freeswitch';
const { describe, expect, it } = await import('vitest');
const { dialoutAudiocodes } = await import('../support/daemon.js');
const { freeswitchOf, startFreeswitch } = await import('../support/freeswitch-server.js');
const { untilValue } = await import('../support/until.js');
const { startNotifyListener } = await import('../support/notify-listener.js');
const { callSetup, onCleanup, useCleanup } = await import('../e2e/dialout-fixture.js');

useCleanup();

// Far longer than the test may take: only the server's loss can end the call in time.
const RTP_TIMEOUT_SEC = 120;

describe('media.mode freeswitch: a FreeSWITCH that goes away', () => {
  it('ends its bridged call at once with a final notification; /healthz and /readyz say so; new dialouts get 503; back, it takes calls again', async () => {
    const notify = await startNotifyListener();
    onCleanup(() => notify.close());
    const { carrier, bot, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio', audio: 'human', calls: 2 },
      { bot: { scenario: 'bot-answer', audio: 'bot', calls: 2 }, overrides: { calls: { rtpTimeoutSec: RTP_TIMEOUT_SEC } } },
    );
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230008', machineDetection: 'disabled', notifyUrl: notify.url('/lost') });
    expect(placed.status).toBe(200);
    await notify.waitFor((n) => (n.body as any)?.status === 'answered', 15_000);
    await bot!.waitForRequest('INVITE', 10_000);
    // The call is up and bridged through FreeSWITCH; now FreeSWITCH dies.
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await freeswitchOf(daemon.config).kill();

    const final = await notify.waitFor((n) => (n.body as any)?.status === 'completed', 15_000);
    const endedAfterMs = Date.now() - killedAt;
    expect(final.body).toMatchObject({ status: 'completed', reasonCode: 'error', reason: expect.stringMatching(/^FreeSWITCH 127\.0\.0\.1:\d+ /) });
    // At once (the liveness watch looks every second), not after calls.rtpTimeoutSec.
    expect(endedAfterMs, `final notification ${endedAfterMs} ms after the kill`).toBeLessThan(5000);
    await carrier.waitForRequest('BYE', 5000);
    await bot!.waitForRequest('BYE', 5000);

    const health = (await (await fetch(`${daemon.url}/healthz`)).json()) as any;
    expect(health.freeswitch).toEqual([expect.objectContaining({ up: false, calls: 0, lastError: expect.any(String) })]);
    const ready = await fetch(`${daemon.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).reasons).toContain('no FreeSWITCH media server is up (1 configured)');

    const refused = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230009', machineDetection: 'disabled', notifyUrl: notify.url('/refused') });
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.json)).toContain('no FreeSWITCH media server is up');

    // FreeSWITCH comes back where it was: outdial connects again (backoff up to 5 s) and is ready for calls.
    const again = await startFreeswitch({ esl: daemon.config.media.freeswitch![0]! });
    onCleanup(() => again.stop());
    await untilValue('the daemon ready again', async () => (await fetch(`${daemon.url}/readyz`)).status, (status) => status === 200, 15_000, 200);
    const health2 = (await (await fetch(`${daemon.url}/healthz`)).json()) as any;
    expect(health2.freeswitch).toEqual([expect.objectContaining({ up: true })]);
    const placed2 = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230011', machineDetection: 'disabled', notifyUrl: notify.url('/back') });
    expect(placed2.status).toBe(200);
    await notify.waitFor((n) => n.path === '/back' && (n.body as any)?.status === 'answered', 15_000);
    // The daemon ends that call and stops before this FreeSWITCH does.
    await daemon.stop();
    await notify.waitFor((n) => n.path === '/back' && (n.body as any)?.status === 'completed', 15_000);
  });

  it('a FreeSWITCH frozen while a call’s endpoints are made: the call fails after 10 s, not never; killed then, at once', async () => {
    const notify = await startNotifyListener();
    onCleanup(() => notify.close());
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio', audio: 'human', calls: 2 },
      { bot: { scenario: 'bot-answer', audio: 'bot', calls: 2 }, overrides: { calls: { rtpTimeoutSec: RTP_TIMEOUT_SEC } } },
    );
    const fs = freeswitchOf(daemon.config);
    fs.pause();
    onCleanup(async () => {
      try {
        fs.resume();
      } catch {
        // Killed below.
      }
    });
    // drachtio-fsmrf's INVITE to FreeSWITCH gets no answer; nothing else would end the call for 32 s and more.
    const frozenAt = Date.now();
    const frozen = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230012', machineDetection: 'disabled', notifyUrl: notify.url('/frozen') });
    expect(frozen.status).toBe(200);
    const failed = await notify.waitFor((n) => n.path === '/frozen' && ['failed', 'completed'].includes((n.body as any)?.status), 20_000);
    const failedAfterMs = Date.now() - frozenAt;
    expect(failed.body).toMatchObject({ status: 'failed', reasonCode: 'error', reason: expect.stringMatching(/FreeSWITCH 127\.0\.0\.1:\d+: no endpoint within 10 s$/) });
    expect(failedAfterMs, `final notification ${failedAfterMs} ms after the dialout`).toBeLessThan(15_000);
    // The callee was never called: its leg had no media to offer.
    expect(carrier.received('INVITE')).toBeUndefined();

    const killed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230013', machineDetection: 'disabled', notifyUrl: notify.url('/killed') });
    expect(killed.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    await fs.kill();
    const lost = await notify.waitFor((n) => n.path === '/killed' && ['failed', 'completed'].includes((n.body as any)?.status), 15_000);
    const lostAfterMs = Date.now() - killedAt;
    expect(lost.body).toMatchObject({ status: 'failed', reasonCode: 'error', reason: expect.stringMatching(/FreeSWITCH 127\.0\.0\.1:\d+: lost \(event socket closed\) while the leg was set up$/) });
    expect(lostAfterMs, `final notification ${lostAfterMs} ms after the kill`).toBeLessThan(3000);
  });
});
