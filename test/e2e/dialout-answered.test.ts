// Answered dialouts end to end: the SIPp carrier answers, plays recorded audio and hangs up; with
// machineDetection disabled outdial bridges the callee to a SIPp bot. The dialer gets answered, then
// completed (callee hung up), once each and in order; outdial decodes the callee's audio.
import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall } from '../support/daemon.js';
import { offerPortRange } from '../support/freeswitch-server.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { allSigned, bodies, callSetup, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';
import type { E2eAudioName } from '../support/e2e-audio.js';

useCleanup();
const listener = useNotifyListener();

const RING_MS = 500;
const BYE_AFTER_MS = 2000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function answeredCall(audio: E2eAudioName, byeAfterMs = BYE_AFTER_MS) {
  return callSetup(
    { scenario: 'carrier-answer-audio-bye', audio, ringMs: RING_MS, byeAfterMs },
    { bot: { scenario: 'bot-answer', audio: 'bot' } },
  );
}

describe('AudioCodes dialout answered, then the callee hangs up', () => {
  it('notifies answered then completed client-disconnected, offers PCMU/PCMA/telephone-event from media.rtp (the FreeSWITCH ports in freeswitch mode), and bridges to the bot', async () => {
    const { carrier, bot, daemon } = await answeredCall('human');
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, {
      bot: 'Bot1',
      target: 'tel:+15551234567',
      callerHost: 'acme.example',
      callerDisplayName: 'Acme Sales',
      notifyUrl: listener.url(path),
      machineDetection: 'disabled',
      metadata: { participantName: 'Alice' },
    });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;

    const delivered = await deliveredOn(listener, path, 2);
    expect(listener.requests(path)).toHaveLength(2);
    const [answered, completed] = bodies(delivered);
    expect(answered).toEqual({ conversationId, status: 'answered', connectTime: expect.stringMatching(ISO) });
    expect(completed).toEqual({
      conversationId,
      status: 'completed',
      reasonCode: 'client-disconnected',
      reason: 'client disconnected',
      connectTime: answered!.connectTime,
      callDuration: expect.any(Number),
      trunk: 'carrier1',
      attempts: [{ trunk: 'carrier1', status: 200, reason: 'OK' }],
    });
    // The callee hung up BYE_AFTER_MS after its answer.
    expect(completed!.callDuration).toBeGreaterThanOrEqual(2);
    expect(completed!.callDuration).toBeLessThanOrEqual(3);
    expect(allSigned(delivered)).toBe(true);

    const invite = await carrier.waitForRequest('INVITE');
    expect(invite.requestUri).toBe(`sip:+15551234567@127.0.0.1:${carrier.port}`);
    expect(invite.header('From')).toMatch(/^"Acme Sales" <sip:\+15550001111@acme\.example>;tag=\S+$/);
    expect(invite.header('To')).toMatch(/^<sip:\+15551234567@127\.0\.0\.1:\d+>$/);
    expect(invite.header('Content-Type')).toBe('application/sdp');
    const sdp = parse(invite.body);
    const audio = sdp.media.find((m) => m.type === 'audio');
    expect(sdp.connection?.ip ?? audio?.connection?.ip).toBe('127.0.0.1');
    const { portMin, portMax } = offerPortRange(daemon.config);
    expect(audio!.port).toBeGreaterThanOrEqual(portMin);
    expect(audio!.port).toBeLessThanOrEqual(portMax);
    expect(audio!.port % 2).toBe(0);
    expect(audio!.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual(['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000']);
    expect(String(audio!.payloads).split(' ')).toEqual(['0', '8', '101']);

    // The callee's BYE was answered, and outdial hung up the bot leg after it.
    await carrier.done;
    expect(carrier.messages().some((m) => m.direction === 'received' && m.status === 200 && /BYE/.test(m.header('CSeq') ?? ''))).toBe(true);
    const botBye = await bot!.waitForRequest('BYE');
    expect(botBye.header('Call-ID')).toBe(bot!.received('INVITE')?.header('Call-ID'));
    expect(bot!.received('INVITE')?.header('X-Conversation-Id')).toBe(conversationId);

    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({
      conversationId,
      dialect: 'audiocodes',
      status: 'completed',
      reasonCode: 'client-disconnected',
      machineDetection: 'disabled',
      answeredAt: answered!.connectTime,
      callDurationSec: completed!.callDuration,
      createdAt: expect.stringMatching(ISO),
      endedAt: expect.stringMatching(ISO),
    });
    expect(record.ringDurationMs).toBeGreaterThanOrEqual(RING_MS - 50);
    expect(record.ringDurationMs).toBeLessThan(RING_MS + 1500);
    expect(Date.parse(record.endedAt) - Date.parse(record.answeredAt)).toBeGreaterThanOrEqual(BYE_AFTER_MS - 50);
    // The callee's human audio was received and decoded.
    expect(record.media.packetsReceived).toBeGreaterThan(50);
    expect(record.media.rmsDbfs).toBeGreaterThan(-50);
  });
});

describe('Kore dialout answered, then the callee hangs up', () => {
  it('notifies Answered then completed caller-disconnected with durations, notifyHeaders and the callId as Call-ID', async () => {
    const { carrier, bot, daemon } = await answeredCall('human');
    const path = notifyPath();
    const res = await dialoutKore(daemon.url, 'Bot1', {
      target: 'tel:+15551234567',
      caller: '+15550001111',
      notifyUrl: listener.url(path),
      notifyHeaders: { 'x-channel-type': 'X42_IVR', Authorization: 'Basic a29yZS5haTpzZWNyZXQ=' },
      machineDetection: 'disabled',
      timeoutInMs: 10000,
    });
    expect(res.status).toBe(200);
    const { conversationId, callId, sid } = res.json as Record<string, string>;

    const delivered = await deliveredOn(listener, path, 2);
    expect(listener.requests(path)).toHaveLength(2);
    const [answered, completed] = bodies(delivered);
    expect(answered).toEqual({
      conversationId,
      reason: '200 OK',
      reasonCode: 'OK',
      callConnectTime: expect.stringMatching(ISO),
      ringDurationInMS: expect.any(Number),
      connectDurationInMS: expect.any(Number),
      status: 'Answered',
    });
    expect(answered!.ringDurationInMS).toBeGreaterThanOrEqual(RING_MS - 50);
    expect(answered!.ringDurationInMS).toBeLessThan(RING_MS + 1500);
    expect(answered!.connectDurationInMS).toBeGreaterThanOrEqual(answered!.ringDurationInMS as number);
    expect(completed).toEqual({
      conversationId,
      reason: '200 OK',
      reasonCode: 'caller-disconnected',
      callConnectTime: answered!.callConnectTime,
      ringDurationInMS: answered!.ringDurationInMS,
      connectDurationInMS: answered!.connectDurationInMS,
      status: 'completed',
      callDuration: expect.any(Number),
      machineDetection: 'disabled',
      sessionId: sid,
      callDisconnectTime: expect.stringMatching(ISO),
      trunk: 'carrier1',
      attempts: [{ trunk: 'carrier1', status: 200, reason: 'OK' }],
    });
    expect(completed!.callDuration).toBeGreaterThanOrEqual(2);
    expect(completed!.callDuration).toBeLessThanOrEqual(3);
    expect(Date.parse(completed!.callDisconnectTime as string) - Date.parse(answered!.callConnectTime as string)).toBeGreaterThanOrEqual(BYE_AFTER_MS - 50);
    expect(allSigned(delivered)).toBe(true);
    for (const n of delivered) {
      expect(n.headers['x-channel-type']).toBe('X42_IVR');
      expect(n.headers.authorization).toBe('Basic a29yZS5haTpzZWNyZXQ=');
    }

    const invite = await carrier.waitForRequest('INVITE');
    expect(invite.header('Call-ID')).toBe(callId);
    expect(invite.requestUri).toBe(`sip:+15551234567@127.0.0.1:${carrier.port}`);
    expect(invite.header('From')).toMatch(/^<sip:\+15550001111@127\.0\.0\.1>;tag=\S+$/);
    await bot!.waitForRequest('BYE');

    const record = await finalRecord(() => getCall(daemon.url, conversationId!));
    expect(record).toMatchObject({ conversationId, sid, callId, dialect: 'kore', status: 'completed', reasonCode: 'caller-disconnected', reason: '200 OK' });
    expect(record.media.rmsDbfs).toBeGreaterThan(-50);
  });
});

describe('callee audio', () => {
  it('decodes the voicemail greeting a SIPp carrier plays at speech level, and a silent line as silence', async () => {
    const byeAfterMs = 3000;
    const [voicemail, silence] = await Promise.all(
      (['voicemail', 'silence'] as const).map(async (audio) => {
        const { daemon } = await answeredCall(audio, byeAfterMs);
        const path = notifyPath();
        const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path) });
        expect(res.status).toBe(200);
        await deliveredOn(listener, path, 2);
        return (await finalRecord(() => getCall(daemon.url, res.json.conversationId as string))).media as {
          codec: string;
          packetsReceived: number;
          packetsLost: number;
          audioMs: number;
          gapMs: number;
          rmsDbfs: number;
        };
      }),
    );
    for (const media of [voicemail!, silence!]) {
      expect(media.codec).toBe('PCMU');
      // About byeAfterMs of 20 ms packets (the pcap plays from the ACK until the BYE).
      expect(media.packetsReceived).toBeGreaterThan((byeAfterMs / 20) * 0.8);
      expect(media.packetsLost).toBe(0);
      expect(media.audioMs).toBeGreaterThan(byeAfterMs * 0.8);
      expect(media.audioMs).toBeLessThan(byeAfterMs + 1500);
      // a steady loopback stream: nothing declared missing, at most the watchdog's wait before the first packet
      expect(media.gapMs).toBeLessThan(400);
    }
    expect(voicemail!.rmsDbfs).toBeGreaterThan(-35);
    expect(silence!.rmsDbfs).toBeLessThan(-55);
    expect(voicemail!.rmsDbfs - silence!.rmsDbfs).toBeGreaterThan(25);
  });
});
