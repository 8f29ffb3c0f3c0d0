import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RFC 4028 session timers on calls the edge places', () => {
  it('refreshes the session half way through when the answer makes us the refresher, without the app seeing it', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-session-refresh.xml' });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer, headers: { Supported: 'timer' } });
    const seenByApp: string[] = [];
    dialog.on('modify', () => seenByApp.push('modify'));
    dialog.on('destroy', () => seenByApp.push('destroy'));
    // Session-Expires 2: the refresh goes at 1 s; hang up before the second one.
    await sleep(1600);
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(seenByApp).toEqual([]);
  });

  it('ends a session the far end let lapse with a BYE saying so, and tells the app the same way', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-session-lapse.xml' });
    const started = Date.now();
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer, headers: { Supported: 'timer' } });
    const ended = await new Promise<{ reason: string | undefined; after: number }>((resolve) =>
      dialog.on('destroy', (msg: { get(name: string): string | undefined }) => resolve({ reason: msg.get('Reason'), after: Date.now() - started })),
    );
    expect(ended.reason).toBe('SIP;cause=200;text="Session timer expired"');
    // Session-Expires 3 with the far end refreshing: over at 3 s less a third.
    expect(ended.after).toBeGreaterThanOrEqual(1900);
    expect(ended.after).toBeLessThan(3500);
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(env.edge.dialogCount).toBe(0);
  });

  it('sends the INVITE again with the interval a 422 asks for, under the same transaction', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-422.xml' });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, {
      localSdp: offer,
      headers: { Supported: 'timer', 'Session-Expires': '90' },
    });
    expect(dialog.remote.sdp).toContain('m=audio');
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
