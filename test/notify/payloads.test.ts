import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/domain/index.js';
import { audiocodesNotification, koreNotification, notificationFor } from '../../src/notify/index.js';

const base: CallRecord = {
  conversationId: '433a9a58-44eb-4c56-bb3e-ab2415f00001',
  dialect: 'kore',
  sid: 'f9bd46ab-0000-4000-8000-000000000001',
  callId: '2c01240f-0000-4000-8000-000000000001',
  clientId: 'dialer1',
  bot: 'Bot1',
  account: 'acme',
  target: 'tel:+15551234567',
  requestUri: 'sip:+15551234567@127.0.0.1:5080',
  caller: '+15550001111',
  status: 'answered',
  createdAt: '2025-06-26T12:49:13.257Z',
  ringingAt: '2025-06-26T12:49:14.219Z',
  answeredAt: '2025-06-26T12:49:17.600Z',
  ringDurationMs: 3381,
  connectDurationMs: 4343,
  machineDetection: 'detect',
  amdEvents: [],
  notificationsQueued: 0,
};

const answeredMachine: CallRecord = {
  ...base,
  amdEvents: [
    { type: 'amd_machine_detected', atMs: 2380, reason: 'long greeting', greeting: 'you have reached the voicemail of' },
    { type: 'amd_machine_stopped_speaking', atMs: 9100 },
    { type: 'amd_stopped', atMs: 9120 },
  ],
};

const completed: CallRecord = {
  ...answeredMachine,
  status: 'completed',
  reasonCode: 'bot-disconnected',
  reason: '200 OK',
  endedAt: '2025-06-26T12:51:07.151Z',
  callDurationSec: 109,
  machineDetected: true,
};

describe('Kore notifications (seed 000 shapes)', () => {
  it('Answered', () => {
    expect(koreNotification(base, { kind: 'answered' })).toEqual({
      conversationId: base.conversationId,
      reason: '200 OK',
      reasonCode: 'OK',
      callConnectTime: '2025-06-26T12:49:17.600Z',
      ringDurationInMS: 3381,
      connectDurationInMS: 4343,
      status: 'Answered',
    });
  });

  it('Call-In-Progress per AMD event, filtered by amdEventsSubscription', () => {
    const ev = answeredMachine.amdEvents[0]!;
    expect(koreNotification(answeredMachine, { kind: 'amd', event: ev })).toMatchObject({ status: 'Call-In-Progress', machineDetection: 'amd_machine_detected', reasonCode: 'OK' });
    expect(koreNotification({ ...answeredMachine, amdEventsSubscription: [] }, { kind: 'amd', event: ev })).toBeUndefined();
    expect(koreNotification({ ...answeredMachine, amdEventsSubscription: ['amd_stopped'] }, { kind: 'amd', event: ev })).toBeUndefined();
    expect(koreNotification({ ...answeredMachine, amdEventsSubscription: ['amd_machine_detected'] }, { kind: 'amd', event: ev })).toBeDefined();
  });

  it('completed carries duration, disconnect time, the AMD decision, sessionId and amdInfo (seed 002)', () => {
    expect(koreNotification(completed, { kind: 'final' })).toEqual({
      conversationId: base.conversationId,
      reason: '200 OK',
      reasonCode: 'bot-disconnected',
      callConnectTime: '2025-06-26T12:49:17.600Z',
      ringDurationInMS: 3381,
      connectDurationInMS: 4343,
      status: 'completed',
      callDuration: 109,
      machineDetection: 'amd_machine_detected',
      sessionId: base.sid,
      callDisconnectTime: '2025-06-26T12:51:07.151Z',
      amdInfo: {
        amdEvents: ['amd_machine_detected', 'amd_machine_stopped_speaking', 'amd_stopped'],
        amdGreeting: 'you have reached the voicemail of',
        amdReason: 'long greeting',
        amdRingDurationInMs: 3381,
        amdConnectDurationInMs: 4343,
      },
    });
    const noAmd = koreNotification({ ...completed, machineDetection: 'disabled', amdEvents: [], reasonCode: 'caller-disconnected' }, { kind: 'final' });
    expect(noAmd).toMatchObject({ machineDetection: 'disabled', reasonCode: 'caller-disconnected' });
    expect(noAmd).not.toHaveProperty('amdInfo');
  });

  it('Failed: "486 Busy Here" with connect and disconnect time at the end', () => {
    const { answeredAt: _answeredAt, ...unanswered } = base;
    const failed: CallRecord = {
      ...unanswered,
      status: 'failed',
      reason: '486 Busy Here',
      reasonCode: 'Busy Here',
      sipStatus: 486,
      endedAt: '2025-06-26T13:00:13.374Z',
      ringDurationMs: 15255,
      connectDurationMs: 17204,
    };
    expect(koreNotification(failed, { kind: 'final' })).toEqual({
      conversationId: base.conversationId,
      reason: '486 Busy Here',
      reasonCode: 'Busy Here',
      callConnectTime: '2025-06-26T13:00:13.374Z',
      ringDurationInMS: 15255,
      connectDurationInMS: 17204,
      status: 'Failed',
      callDisconnectTime: '2025-06-26T13:00:13.374Z',
    });
  });

  it('nothing final for a call that is not final yet', () => {
    expect(koreNotification(base, { kind: 'final' })).toBeUndefined();
  });
});

describe('AudioCodes notifications (seed 003 shapes)', () => {
  const { sid: _sid, callId: _callId, ...koreless } = base;
  const ac: CallRecord = { ...koreless, dialect: 'audiocodes' };

  it('answered', () => {
    expect(audiocodesNotification(ac, { kind: 'answered' })).toEqual({ conversationId: ac.conversationId, status: 'answered', connectTime: '2025-06-26T12:49:17.600Z' });
  });

  it('sends no AMD progress notifications', () => {
    expect(audiocodesNotification(ac, { kind: 'amd', event: { type: 'amd_human_detected', reason: 'short greeting', atMs: 900 } })).toBeUndefined();
  });

  it('failed with reasonCode and the SIP reason', () => {
    const { answeredAt: _answeredAt, ...unanswered } = ac;
    const failed: CallRecord = { ...unanswered, status: 'failed', reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' };
    expect(audiocodesNotification(failed, { kind: 'final' })).toEqual({ conversationId: ac.conversationId, status: 'failed', reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' });
  });

  it('completed with connectTime, callDuration, and in detect mode the voicemail outcome', () => {
    const done: CallRecord = { ...ac, status: 'completed', reasonCode: 'client-disconnected', reason: 'client disconnected', callDurationSec: 14, voicemailOutcome: 'voicemail beep' };
    expect(audiocodesNotification(done, { kind: 'final' })).toEqual({
      conversationId: ac.conversationId,
      status: 'completed',
      reasonCode: 'client-disconnected',
      reason: 'client disconnected',
      connectTime: '2025-06-26T12:49:17.600Z',
      callDuration: 14,
      machineDetection: 'voicemail beep',
    });
    const machine: CallRecord = { ...done, machineDetection: 'disconnect', reasonCode: 'machine-detected', reason: 'fax detected' };
    expect(audiocodesNotification(machine, { kind: 'final' })).not.toHaveProperty('machineDetection');
  });

  it('notificationFor picks the record dialect', () => {
    expect(notificationFor(ac, { kind: 'answered' })).toHaveProperty('status', 'answered');
    expect(notificationFor(base, { kind: 'answered' })).toHaveProperty('status', 'Answered');
  });
});
