// Trunk health through a running daemon, SIPp as the carriers: a trunk that stops answering its OPTIONS is
// skipped and used again once it answers; a trunk that registers answers the registrar's digest challenge,
// refreshes its binding and removes it when the daemon stops. /healthz and /readyz show it all.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, startTestDaemon } from '../support/daemon.js';
import { freePort } from '../support/ports.js';
import { startSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { finalRecord, onCleanup, useCleanup } from './dialout-fixture.js';
import { getCall } from '../support/daemon.js';

useCleanup();

const TARGET = 'tel:+15551234567';
const CALLER = '+15550001111';

async function healthz(url: string): Promise<any> {
  return (await fetch(`${url}/healthz`)).json();
}

const invites = (messages: string) => (messages.match(/^INVITE sip:/gm) ?? []).length;

describe('trunk pings through the daemon', () => {
  it('skips a trunk that missed 3 pings and uses it again once it answers', async () => {
    const aPort = await freePort();
    const b = await startSipp({ scenario: 'uas-options-or-reject.xml', keys: { statusline: 'SIP/2.0 486 Busy Here' }, calls: 1000, traceMessages: true, timeoutSeconds: 60 });
    const daemon = await startTestDaemon({
      carrierPort: aPort,
      botPort: 9,
      overrides: {
        accounts: [
          {
            name: 'acme',
            trunks: [
              { name: 'a', host: '127.0.0.1', port: aPort, priority: 0, ping: { intervalSec: 1 } },
              { name: 'b', host: '127.0.0.1', port: b.port, priority: 1, ping: { intervalSec: 1 } },
            ],
          },
        ],
      },
    });
    onCleanup(() => daemon.stop());

    // Nobody answers on a's port: after three pings it is down, and /readyz still counts b as up.
    await until('trunk a down', async () => (await healthz(daemon.url)).trunks[0].usable === false, 8000, 100);
    const health = await healthz(daemon.url);
    expect(health.trunks).toEqual([
      { account: 'acme', trunk: 'a', usable: false, ping: { up: false, intervalSec: 1, missedInARow: expect.any(Number) } },
      { account: 'acme', trunk: 'b', usable: true, ping: { up: true, intervalSec: 1, missedInARow: 0 } },
    ]);
    const ready = await (await fetch(`${daemon.url}/readyz`)).json();
    expect(JSON.stringify(ready)).not.toMatch(/trunks are down/);

    const first = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER });
    expect(first.status).toBe(200);
    expect(await finalRecord(() => getCall(daemon.url, first.json.conversationId))).toMatchObject({
      reasonCode: 'busy',
      trunk: 'b',
      attempts: [{ trunk: 'b', status: 486, reason: 'Busy Here' }],
    });

    // a comes back: its next ping is answered and the next call goes through it again.
    const a = await startSipp({ scenario: 'uas-options-or-reject.xml', port: aPort, keys: { statusline: 'SIP/2.0 486 Busy Here' }, calls: 1000, traceMessages: true, timeoutSeconds: 60 });
    await until('trunk a up again', async () => (await healthz(daemon.url)).trunks[0].usable === true, 4000, 100);
    const second = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER });
    expect(second.status).toBe(200);
    expect(await finalRecord(() => getCall(daemon.url, second.json.conversationId))).toMatchObject({
      trunk: 'a',
      attempts: [{ trunk: 'a', status: 486, reason: 'Busy Here' }],
    });
    const [aRun, bRun] = await Promise.all([a.stop(), b.stop()]);
    expect(invites(aRun.messages)).toBe(1);
    expect(invites(bRun.messages)).toBe(1);
    expect(aRun.messages).toMatch(/^OPTIONS sip:127\.0\.0\.1:\d+ SIP\/2\.0/m);
  });

  it('answers 503 naming the trunk when every trunk of the account is down', async () => {
    const daemon = await startTestDaemon({
      carrierPort: await freePort(),
      botPort: 9,
      overrides: { accounts: [{ name: 'acme', trunks: [{ name: 'only', host: '127.0.0.1', port: await freePort(), default: true, ping: { intervalSec: 1 } }] }] },
    });
    onCleanup(() => daemon.stop());
    await until('trunk down', async () => (await healthz(daemon.url)).trunks[0].usable === false, 8000, 100);
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER });
    expect(res.status).toBe(503);
    expect(res.json.error).toBe('trunk "only" is not up (not answering its OPTIONS pings, or its registration failed)');
  });
});

describe('trunk registration through the daemon', () => {
  it('registers with a digest challenge, refreshes before the granted expiry, and unregisters on stop', async () => {
    const registrar = await startSipp({ scenario: 'uas-register-auth.xml', keys: { username: 'acme-out', password: 's3cret', grant: 2 }, traceMessages: true });
    const daemon = await startTestDaemon({
      carrierPort: registrar.port,
      botPort: 9,
      overrides: {
        accounts: [
          { name: 'acme', trunks: [{ name: 'reg', host: '127.0.0.1', port: registrar.port, default: true, register: { username: 'acme-out', password: 's3cret', expiresSec: 300 } }] },
        ],
      },
    });
    let stopped = false;
    onCleanup(async () => {
      if (!stopped) await daemon.stop();
    });
    await until('registered', async () => (await healthz(daemon.url)).trunks[0].registration?.state === 'registered', 5000, 50);
    const first = (await healthz(daemon.url)).trunks[0].registration.expiresAt as string;
    await until('refreshed', async () => (await healthz(daemon.url)).trunks[0].registration.expiresAt !== first, 4000, 50);
    expect((await healthz(daemon.url)).trunks[0]).toMatchObject({ account: 'acme', trunk: 'reg', usable: true, registration: { state: 'registered' } });
    expect(await (await fetch(`${daemon.url}/metrics`)).text()).toMatch(/outdial_trunk_registered\{account="acme",trunk="reg"\} 1/);
    await daemon.stop();
    stopped = true;
    const result = await registrar.done;
    expect(result.exitCode, result.errors).toBe(0);
    const sent = result.messages.split(/^-{5,}.*$/m).filter((m) => /^REGISTER sip:/m.test(m));
    expect(sent.map((m) => /^Expires: (\d+)/m.exec(m)?.[1])).toEqual(['300', '300', '300', '300', '0', '0']);
    expect(sent.every((m) => /^From: <sip:acme-out@127\.0\.0\.1>/m.test(m))).toBe(true);
  });
});
