// media.mode freeswitch: a burst of dialouts posted at once. At most the server's legSetupsAtOnce legs
// (LEG_SETUPS_PER_SERVER unless configured) are set up on one FreeSWITCH at a time, the others wait their turn
// (docs/media.md, "A burst of calls"): every call is answered and gets its final notification, and /healthz
// shows the configured bound held and the queue used. Without the
// bound, 80 endpoint creations at once on a busy host made FreeSWITCH connect back too late for a third of a
// 100-call burst ("Connection timeout"); that burst is too heavy for a test, so this one asserts the bound.
process.env.OUTDIAL_TEST_MEDIA = 'freeswitch';
const { describe, expect, it } = await import('vitest');
const { dialoutAudiocodes } = await import('../support/daemon.js');
const { startNotifyListener } = await import('../support/notify-listener.js');
const { callSetup, onCleanup, useCleanup } = await import('../e2e/dialout-fixture.js');
const { freeswitchOf, startFreeswitch } = await import('../support/freeswitch-server.js');
const { LEG_SETUPS_PER_SERVER } = await import('../../src/media/freeswitch/setup-queue.js');

useCleanup();

const CALLS = 30;
const BYE_AFTER_MS = 2000;
/** media.freeswitch[0].legSetupsAtOnce of the burst's daemon: below the default, so the default cannot pass. */
const BOUND = 4;

interface Setups {
  active: number;
  waiting: number;
}

describe('media.mode freeswitch: a burst of dialouts', () => {
  it(`${CALLS} dialouts at once on a FreeSWITCH configured with legSetupsAtOnce ${BOUND}: at most ${BOUND} legs set up at a time, the rest wait; every call answered, every final notification sent`, async () => {
    const notify = await startNotifyListener();
    onCleanup(() => notify.close());
    const fs = await startFreeswitch();
    onCleanup(() => fs.stop());
    // The callee hangs up 2 s after answering, before AMD decides on the voicemail: no bot leg is needed.
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio-bye', audio: 'voicemail', calls: CALLS, byeAfterMs: BYE_AFTER_MS, timeoutSeconds: 90 },
      { overrides: { media: { mode: 'freeswitch', freeswitch: [{ ...fs.esl, legSetupsAtOnce: BOUND }] } } },
    );

    // /healthz read while the burst is set up: what FreeSWITCH is asked for at once.
    const seen: Setups[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const health = (await (await fetch(`${daemon.url}/healthz`)).json()) as { freeswitch: { setups?: Setups }[] };
        seen.push(health.freeswitch[0]!.setups ?? { active: Number.NaN, waiting: Number.NaN });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    onCleanup(async () => {
      sampling = false;
      await sampler.catch(() => undefined);
    });

    const placed = await Promise.all(
      Array.from({ length: CALLS }, (_, k) =>
        dialoutAudiocodes(daemon.url, {
          bot: 'Bot1',
          target: `tel:+1555124${String(k).padStart(4, '0')}`,
          machineDetection: 'disconnect',
          notifyUrl: notify.url(`/burst/${k}`),
        }),
      ),
    );
    expect(placed.map((p) => p.status)).toEqual(Array.from({ length: CALLS }, () => 200));

    const finals = await Promise.all(
      placed.map((_, k) => notify.waitFor((n) => n.path === `/burst/${k}` && ['completed', 'failed'].includes((n.body as any)?.status), 60_000)),
    );
    sampling = false;
    await sampler;

    // Every call was answered and ended because its callee hung up: none failed setting up its media.
    const failed = finals.filter((n) => (n.body as any).status !== 'completed').map((n) => `${n.path}: ${(n.body as any).reason}`);
    expect(failed, failed.join('; ')).toEqual([]);
    for (let k = 0; k < CALLS; k++) {
      expect(notify.requests(`/burst/${k}`).map((n) => (n.body as any).status)).toEqual(['answered', 'completed']);
      expect(finals[k]!.body).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    }
    expect(carrier.received('INVITE')).toBeDefined();

    const active = seen.map((s) => s.active);
    const waiting = seen.map((s) => s.waiting);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...active), `legs set up at once: ${active.join(',')}`).toBeLessThanOrEqual(BOUND);
    // The burst was bigger than the bound: legs did wait for their turn (and the bound was reached).
    expect(Math.max(...waiting), `legs waiting: ${waiting.join(',')}`).toBeGreaterThan(0);
    expect(Math.max(...active)).toBe(BOUND);
    const after = (await (await fetch(`${daemon.url}/healthz`)).json()) as { freeswitch: { setups: Setups; calls: number }[] };
    expect(after.freeswitch[0]).toMatchObject({ setups: { active: 0, waiting: 0 }, calls: 0 });
  });

  it('a frozen FreeSWITCH under a burst: the legs set up fail after 10 s and those waiting behind them at the same time, not 10 s later each', async () => {
    const notify = await startNotifyListener();
    onCleanup(() => notify.close());
    const { carrier, daemon } = await callSetup({ scenario: 'carrier-answer-audio-bye', audio: 'voicemail', calls: 2, byeAfterMs: BYE_AFTER_MS });
    const fs = freeswitchOf(daemon.config);
    fs.pause();
    onCleanup(async () => fs.resume());
    const count = LEG_SETUPS_PER_SERVER + 2;
    const postedAt = Date.now();
    const placed = await Promise.all(
      Array.from({ length: count }, (_, k) =>
        dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: `tel:+1555125${String(k).padStart(4, '0')}`, machineDetection: 'disconnect', notifyUrl: notify.url(`/frozen/${k}`) }),
      ),
    );
    expect(placed.map((p) => p.status)).toEqual(Array.from({ length: count }, () => 200));
    const finals = await Promise.all(
      placed.map((_, k) => notify.waitFor((n) => n.path === `/frozen/${k}` && ['completed', 'failed'].includes((n.body as any)?.status), 30_000)),
    );
    const lastAfterMs = Date.now() - postedAt;
    const reasons = finals.map((n) => (n.body as any).reason as string);
    for (const n of finals) expect(n.body).toMatchObject({ status: 'failed', reasonCode: 'error' });
    expect(reasons.filter((r) => /FreeSWITCH 127\.0\.0\.1:\d+: no endpoint within 10 s$/.test(r)), reasons.join('; ')).toHaveLength(LEG_SETUPS_PER_SERVER);
    expect(reasons.filter((r) => /FreeSWITCH 127\.0\.0\.1:\d+: a leg set up before this one got no endpoint within 10 s$/.test(r)), reasons.join('; ')).toHaveLength(2);
    // All within one 10 s limit: the waiting legs did not each start a 10 s of their own.
    expect(lastAfterMs, `last final notification ${lastAfterMs} ms after the burst`).toBeLessThan(15_000);
    expect(carrier.received('INVITE')).toBeUndefined();
  });
});
