// Attacks seen where they would land: at the carrier (a forged header through the caller id) and in the
// call's audio (RTP sprayed at outdial's port by a stranger while a person answers). SIPp carrier and bot,
// the stranger on 127.0.0.2.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { encodePcmu } from '../../src/media/index.js';
import { dialoutAudiocodes, getCall, spawnDaemon, testConfigObject } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';

useCleanup();

const statusOf = (n: { body: unknown }) => (n.body as { status?: string } | undefined)?.status;

/** A 1 kHz tone as PCMU packets from 127.0.0.2, faster than real time, until stopped. */
async function sprayTone(port: number): Promise<{ stop(): void; sent(): number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));
  const pcm = new Int16Array(160).map((_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  const payload = Buffer.from(encodePcmu(pcm));
  let seq = 0;
  let stopped = false;
  const timer = setInterval(() => {
    for (let k = 0; k < 2; k++) {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header.writeUInt16BE(seq & 0xffff, 2);
      header.writeUInt32BE((seq * 160) >>> 0, 4);
      header.writeUInt32BE(0x0badf00d, 8);
      seq++;
      socket.send(Buffer.concat([header, payload]), port, '127.0.0.1');
    }
  }, 10);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      socket.close();
    },
    sent: () => seq,
  };
}

describe('hostile dialouts, end to end', () => {
  it('a forged header in callerHost never reaches the carrier; a display name with quotes arrives escaped; sprayed RTP is not heard', async () => {
    const audio = await e2eAudio();
    const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: 7000, timeoutSeconds: 60 });
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, timeoutSeconds: 60 });
    onCleanup(() => carrier.stop(), () => bot.stop());
    const listener = await startNotifyListener();
    onCleanup(() => listener.close());
    const daemon = await spawnDaemon(await testConfigObject({ carrierPort: carrier.port, botPort: bot.port }));
    onCleanup(async () => {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    });

    const forged = await dialoutAudiocodes(daemon.url, {
      bot: 'Bot1',
      target: 'tel:+15553000001',
      caller: '+15550001111',
      callerHost: 'h.example>\r\nP-Asserted-Identity: <sip:+18885550000@carrier.example>\r\nX-Pad: <x',
      notifyUrl: listener.url('/forged'),
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error).toMatch(/^callerHost /);

    const placed = await dialoutAudiocodes(daemon.url, {
      bot: 'Bot1',
      target: 'tel:+15553000001',
      caller: '+15550001111',
      callerHost: 'acme.example',
      callerDisplayName: 'Acme "Sales" \\ Desk',
      machineDetection: 'disconnect',
      notifyUrl: listener.url('/n'),
    });
    expect(placed.status).toBe(200);
    const invite = await carrier.waitForRequest('INVITE');
    // The only INVITE the carrier got is the second dialout's.
    expect(carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE')).toHaveLength(1);
    expect(invite.header('From')).toMatch(/^"Acme \\"Sales\\" \\\\ Desk" <sip:\+15550001111@acme\.example>;tag=/);
    expect(invite.header('P-Asserted-Identity')).toBeUndefined();

    // A stranger sprays a loud tone at the port outdial offered, from before the answer on.
    const port = Number(/^m=audio (\d+)/m.exec(invite.body)![1]);
    const spray = await sprayTone(port);
    onCleanup(async () => spray.stop());
    await listener.waitFor((n) => statusOf(n) === 'completed', 30_000);
    spray.stop();
    const record = await getCall(daemon.url, placed.json.conversationId as string);
    expect(record.amdEvents[0]).toMatchObject({ type: 'amd_human_detected' });
    expect(bot.received('INVITE')).toBeDefined();
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    const dropped = Number(/^outdial_rtp_packets_dropped_total\{reason="unexpected-source"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    expect(spray.sent()).toBeGreaterThan(100);
    expect(dropped).toBeGreaterThan(100);
  }, 90_000);
});
