// A carrier that sets an RFC 4028 session timer in its 200 and then lets the session lapse: the SIP edge sends
// BYE with `Reason: SIP;cause=200;text="Session timer expired"`, and the dialer is told the session expired,
// not that the callee hung up.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall, startTestDaemon } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { startSipp } from '../support/sipp.js';
import { bodies, deliveredOn, finalRecord, notifyPath, onCleanup, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

async function lapsingCarrier() {
  // Session-Expires: 3;refresher=uas, never refreshed: the session is over about 2 s after the answer.
  const carrier = await startSipp({ scenario: 'uas-session-lapse.xml' });
  onCleanup(() => carrier.stop());
  const daemon = await startTestDaemon({ carrierPort: carrier.port, botPort: 9 });
  onCleanup(() => daemon.stop());
  return { carrier, daemon };
}

describe('a session timer the carrier lets lapse', () => {
  it('AudioCodes: the call completes with reasonCode session-expired and the carrier gets a BYE saying why', async () => {
    const { carrier, daemon } = await lapsingCarrier();
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), machineDetection: 'disconnect' });
    expect(res.status).toBe(200);
    const delivered = bodies(await deliveredOn(listener, path, 2));
    expect(delivered.at(-1)).toMatchObject({ status: 'completed', reasonCode: 'session-expired', reason: 'SIP session timer expired' });
    const record = await finalRecord(() => getCall(daemon.url, res.json.conversationId as string));
    expect(record).toMatchObject({ status: 'completed', reasonCode: 'session-expired' });
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('Kore: the final notification names session-expired', async () => {
    const { carrier, daemon } = await lapsingCarrier();
    const path = notifyPath();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551234567', caller: '+15550001111', notifyurl: listener.url(path), machineDetection: 'disconnect' });
    expect(res.status).toBe(200);
    await listener.waitFor(() => bodies(listener.delivered(path)).some((b) => b.status === 'Completed' || b.reasonCode === 'session-expired'), 15_000);
    const last = bodies(listener.delivered(path)).find((b) => b.reasonCode === 'session-expired');
    expect(last).toBeDefined();
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
