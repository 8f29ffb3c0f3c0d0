// A dialer whose INVITE requires 100rel (RFC 3262 §3) sends a call in for AMD (docs/inbound.md): outdial
// sends no provisional but 100 Trying, so it honours the requirement without a reliable provisional and
// answers 200 instead of refusing the call with 420 (test/e2e/sipp/inbound-uac-100rel.xml fails on a 420 or
// any 18x). The call then runs as any inbound call: AMD hears a voicemail greeting and outdial hangs up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { getCall, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { farEndResult } from '../support/live-call.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';

let listener: NotifyListener;
let daemon: TestDaemon;
let dialer: E2eSipp | undefined;

beforeAll(async () => {
  const audio = await e2eAudio();
  listener = await startNotifyListener();
  daemon = await startTestDaemon({
    carrierPort: 5,
    botPort: 6,
    overrides: {
      inbound: [{ name: 'rel', match: { user: '^rel' }, machineDetection: 'disconnect', actionHook: listener.url('/amd/rel') }],
    },
  });
  dialer = await startE2eSipp({
    scenario: 'inbound-uac-100rel',
    service: 'rel-2001',
    remote: daemon.sipAddress,
    keys: { caller: '+15557654321', decision_ms: 15000 },
    audioPcap: audio.files.voicemail.pcap,
    timeoutSeconds: 60,
  });
}, 60_000);

afterAll(async () => {
  await daemon?.stop().catch(() => undefined);
  await dialer?.stop().catch(() => undefined);
  await listener?.close();
  await stopAllSipp();
});

describe('an inbound INVITE that requires 100rel', () => {
  it('is answered 200 after at most 100 Trying, runs AMD, and outdial hangs up on the machine', async () => {
    const d = dialer!;
    const { exitCode, errors } = await farEndResult(d, 40_000);
    // SIPp lists each INFO -aa answered between scenario steps among its "errors"; nothing else may be there.
    const rest = errors
      .replace(/The following events occurred:/, '')
      .split(/(?=\d{4}-\d{2}-\d{2}\t)/)
      .filter((line) => line.trim() !== '' && !/Automatic response mode for an unexpected INFO/.test(line));
    expect({ exitCode, errors: rest.join('\n') }).toEqual({ exitCode: 0, errors: '' });
    const statuses = d
      .messages()
      .filter((m) => m.direction === 'received' && m.status !== undefined && /INVITE/.test(m.header('cseq') ?? ''))
      .map((m) => m.status);
    expect(statuses.filter((s) => s !== 100)).toEqual([200]);
    const ok = d.messages().find((m) => m.direction === 'received' && m.status === 200 && /INVITE/.test(m.header('cseq') ?? ''))!;
    expect(ok.header('rseq')).toBeUndefined();
    const conversationId = ok.header('x-conversation-id')!;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(listener.requests('/amd/rel')[0]?.body).toMatchObject({ type: 'amd_machine_detected', route: 'rel', conversationId });
    let record: any;
    await until('final record', async () => (record = await getCall(daemon.url, conversationId)).status === 'completed', 5000);
    expect(record).toMatchObject({ dialect: 'jambonz', route: 'rel', machineDetected: true, reasonCode: 'machine-detected' });
  });
});
