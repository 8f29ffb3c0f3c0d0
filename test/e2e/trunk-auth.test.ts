// A trunk that wants digest credentials (accounts[].trunks[].auth): the carrier challenges the INVITE with
// 401 or 407, outdial answers the challenge, the carrier checks the digest and answers, and the call goes on
// to the bot as any other. Runs under test:all (embedded edge) and test:stack (drachtio-server).
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, startTestDaemon } from '../support/daemon.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { startSipp } from '../support/sipp.js';

useCleanup();

const CALLER = '+15550001111';

async function trunkWithAuth(challenge: 'www' | 'proxy') {
  const carrier = await startSipp(
    challenge === 'www'
      ? { scenario: 'uas-auth.xml', keys: { statusline: 'SIP/2.0 401 Unauthorized', authheader: 'WWW-Authenticate', username: 'u1', password: 's3cret' }, traceMessages: true }
      : { scenario: 'uas-auth-proxy.xml', traceMessages: true },
  );
  onCleanup(() => carrier.stop());
  const bot = await startE2eSipp({ scenario: 'bot-answer-bye', audioPcap: (await e2eAudio()).files.bot.pcap, byeAfterMs: 800, timeoutSeconds: 30 });
  onCleanup(() => bot.stop());
  const listener = await startNotifyListener();
  onCleanup(() => listener.close());
  const daemon = await startTestDaemon({
    carrierPort: carrier.port,
    botPort: bot.port,
    overrides: {
      accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: '127.0.0.1', port: carrier.port, default: true, auth: { username: 'u1', password: 's3cret' } }] }],
    },
  });
  onCleanup(() => daemon.stop());
  return { carrier, bot, listener, daemon };
}

describe('a trunk with digest credentials', () => {
  it('401 WWW-Authenticate: the INVITE is sent again with Authorization, the carrier accepts it, and the call reaches the bot (AudioCodes)', async () => {
    const { carrier, bot, listener, daemon } = await trunkWithAuth('www');
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230001', caller: CALLER, notifyUrl: listener.url('/ac'), machineDetection: 'disabled' });
    expect(placed.status).toBe(200);
    const final = await listener.waitFor((n) => n.path === '/ac' && (n.body as any)?.status === 'completed', 20_000);
    expect(final.body).toMatchObject({ conversationId: placed.json.conversationId, reasonCode: 'bot-disconnected' });
    // Delivery is at-least-once: a loaded host may see a notification twice, never out of order.
    expect([...new Set(listener.delivered('/ac').map((n) => (n.body as any).status))]).toEqual(['answered', 'completed']);
    expect(bot.received('INVITE')).toBeDefined();
    // uas-auth.xml checked the digest with verifyauth, took the ACK and our BYE: every step passed.
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(/^Authorization: Digest .*username="u1"/m);
  });

  it('407 Proxy-Authenticate: the INVITE is sent again with Proxy-Authorization and the call reaches the bot (Kore)', async () => {
    const { carrier, bot, listener, daemon } = await trunkWithAuth('proxy');
    const placed = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551230002', caller: CALLER, notifyurl: listener.url('/kore'), machineDetection: 'disabled' });
    expect(placed.status).toBe(200);
    const final = await listener.waitFor((n) => n.path === '/kore' && (n.body as any)?.status === 'completed', 20_000);
    expect(final.body).toMatchObject({ conversationId: placed.json.conversationId });
    expect(bot.received('INVITE')).toBeDefined();
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(result.messages).toMatch(/^Proxy-Authorization: Digest .*username="u1"/m);
  });
});
