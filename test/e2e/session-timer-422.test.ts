// A carrier that answers an INVITE asking for session timers with 422 and a larger Min-SE (RFC 4028 §6): the
// INVITE goes once more at the carrier's Min-SE and the call goes on. Through both SIP edges: the embedded edge
// retries on its own, behind a drachtio-server the callee leg does (test:stack runs it there too).
import { describe, expect, it } from 'vitest';
import { useNotifyListener } from '../support/notify-listener.js';
import { bodies, callSetup, deliveredOn, placeDialout, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

describe('a 422 Session Interval Too Small', () => {
  it('answers a 422 with the INVITE again at the carrier\'s Min-SE, and the call goes on', async () => {
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-422-answer-bye', audio: 'human', byeAfterMs: 1000 },
      { bot: { scenario: 'bot-answer', audio: 'bot' } },
    );
    const { path } = await placeDialout(daemon.url, listener);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    const invites = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invites.map((m) => [m.header('Session-Expires'), m.header('Min-SE')])).toEqual([
      ['1800', undefined],
      ['3600', '3600'],
    ]);
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
