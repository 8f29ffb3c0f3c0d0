// A FreeSWITCH endpoint's SIP dialog that FreeSWITCH already ended, hung up once more by drachtio-fsmrf (its
// createEndpoint connection timeout does a bare `dialog.destroy()` when FreeSWITCH answered the INVITE but never
// connected back, as when it stops right then): a real drachtio-server refuses the BYE, "unable to find
// dialog" (ENODIALOG), and that rejection went unhandled in outdial's process. The far end here is a SIPp UAS
// that answers and hangs up at once, as FreeSWITCH did; drachtio-srf reaches it through a real drachtio-server
// and through the signalling outdial gives drachtio-fsmrf (src/media/freeswitch/mrf-signalling.ts).
import Srf from 'drachtio-srf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { signallingForMrf } from '../../src/media/freeswitch/mrf-signalling.js';
import { buildOffer } from '../../src/media/sdp.js';
import { farEnd } from '../e2e/dialout-fixture.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { startSipEdgeServer } from '../support/sip-edge-server.js';

useCleanup();

interface Dialog {
  destroy(): Promise<unknown>;
  once(event: 'destroy', listener: () => void): unknown;
}
type CreateUac = (uri: string, opts: { localSdp: string }) => Promise<Dialog>;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** A drachtio-srf on a drachtio-server of its own, and a SIPp far end that answers twice and each time sends BYE at once. */
async function setUp(): Promise<{ srf: Srf; uri: string }> {
  const server = await startSipEdgeServer('drachtio');
  onCleanup(() => server.stop());
  const srf = new Srf();
  await new Promise<void>((resolve, reject) => {
    // connect() returns nothing at runtime: the outcome is an event.
    void srf.connect({ ...server.control });
    srf.once('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
  });
  onCleanup(async () => srf.disconnect());
  const far = await farEnd({ scenario: 'carrier-answer-audio-bye', audio: 'silence', byeAfterMs: 0, calls: 2 });
  return { srf, uri: `sip:freeswitch@127.0.0.1:${far.port}` };
}

/** An answered dialog, once the far end's BYE has ended it. */
async function endedDialog(createUac: CreateUac, uri: string): Promise<Dialog> {
  const dialog = await createUac(uri, { localSdp: buildOffer({ address: '127.0.0.1', port: 40000 }) });
  await new Promise<void>((resolve) => dialog.once('destroy', resolve));
  return dialog;
}

const settle = () => new Promise((r) => setTimeout(r, 500));

describe('FreeSWITCH endpoint dialogs hung up after FreeSWITCH ended them', () => {
  it('drachtio-server refuses the BYE with ENODIALOG; through outdial’s signalling an ignored destroy() is no unhandled rejection', async () => {
    const { srf, uri } = await setUp();
    // What drachtio-fsmrf would get from drachtio-srf itself: the BYE on the ended dialog rejects.
    const plain = await endedDialog(srf.createUAC.bind(srf), uri);
    await expect(plain.destroy()).rejects.toMatchObject({ code: 'ENODIALOG', message: expect.stringMatching(/unable to find dialog/i) });

    const signalling = signallingForMrf(srf, createLogger('silent')) as { createUAC: CreateUac };
    const guarded = await endedDialog(signalling.createUAC.bind(signalling), uri);
    // drachtio-fsmrf's way: the promise dropped on the floor.
    void guarded.destroy();
    await settle();
    expect(unhandled).toEqual([]);
    // A caller that awaits it still learns the BYE failed.
    await expect(guarded.destroy()).rejects.toMatchObject({ code: 'ENODIALOG' });
  });
});
