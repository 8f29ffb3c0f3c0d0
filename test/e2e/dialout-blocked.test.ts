// A carrier whose network blocks the call as spam answers "603 Decline" with
// `Reason: SIP;cause=603;text="Network Blocked"` (ATIS-1000099 "603+"): both dialects' final notifications say
// "Network Blocked", so a dialer can tell it from a callee declining (test/e2e/dialout-failures.test.ts: plain 603).
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { allSigned, bodies, callSetup, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

const blocked = { scenario: 'carrier-blocked-reject' as const, status: 603, ringMs: 200 };

describe('a dialout the network blocks as spam', () => {
  it('AudioCodes: one failed notification whose reason reads Network Blocked', async () => {
    const { carrier, daemon } = await callSetup(blocked);
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), answerTimeoutSec: 20 });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;

    const delivered = await deliveredOn(listener, path, 1);
    expect(bodies(delivered)).toEqual([
      { conversationId, status: 'failed', reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Network Blocked"', trunk: 'carrier1', attempts: [{ trunk: 'carrier1', status: 603, reason: 'Decline' }] },
    ]);
    expect(allSigned(delivered)).toBe(true);
    expect(carrier.received('CANCEL')).toBeUndefined();
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ conversationId, status: 'failed', sipStatus: 603, reason: 'SIP ;cause=603 ;text="Network Blocked"' });
  });

  it('Kore: one Failed notification with reasonCode Network Blocked', async () => {
    const { daemon } = await callSetup(blocked);
    const path = notifyPath();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551234567', caller: '+15550001111', notifyurl: listener.url(path), timeoutInMs: 20000 });
    expect(res.status).toBe(200);
    const { conversationId } = res.json as Record<string, string>;

    const delivered = await deliveredOn(listener, path, 1);
    expect(listener.requests(path)).toHaveLength(1);
    expect(bodies(delivered)[0]).toMatchObject({ conversationId, status: 'Failed', reasonCode: 'Network Blocked', reason: '603 Network Blocked' });
    const record = await finalRecord(() => getCall(daemon.url, conversationId!));
    expect(record).toMatchObject({ conversationId, status: 'failed', reasonCode: 'Network Blocked', reason: '603 Network Blocked' });
  });
});
