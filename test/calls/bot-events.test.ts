import { describe, expect, it } from 'vitest';
import {
  botInviteHeaders,
  decodeDialoutMetadata,
  dialoutInitiatedEvent,
  machineDetectionEvent,
  startEvent,
} from '../../src/calls/bot-events.js';

const call = { conversationId: 'c-1', callee: 'tel:+123456789', caller: '1-800-111-111', metadata: { participantName: 'Alice', n: 'é✓' } };

describe('bot events', () => {
  it('start carries callee, caller and dialoutMetadata as seed 003 shows', () => {
    expect(startEvent(call)).toMatchObject({
      type: 'event',
      name: 'start',
      parameters: { callee: '+123456789', caller: '1-800-111-111', dialoutMetadata: { participantName: 'Alice' } },
    });
  });

  it('dialoutInitiated carries the same parameters', () => {
    expect(dialoutInitiatedEvent(call).name).toBe('dialoutInitiated');
    expect(dialoutInitiatedEvent(call).parameters).toEqual(startEvent(call).parameters);
  });

  it('machineDetection carries its value', () => {
    expect(machineDetectionEvent('c-1', 'voicemail-prompt-start')).toMatchObject({ name: 'machineDetection', value: 'voicemail-prompt-start' });
  });

  it('the bot INVITE headers round-trip the metadata through base64url', () => {
    const h = botInviteHeaders(call, 'amd_human_detected');
    expect(h['X-Conversation-Id']).toBe('c-1');
    expect(h['X-Callee']).toBe('+123456789');
    expect(h['X-Caller']).toBe('1-800-111-111');
    expect(h['X-Machine-Detection']).toBe('amd_human_detected');
    expect(h['X-Dialout-Metadata']).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDialoutMetadata(h['X-Dialout-Metadata']!)).toEqual(call.metadata);
  });

  it('keeps a sip: callee whole', () => {
    expect(botInviteHeaders({ conversationId: 'c', callee: 'sip:bob@example.com' }, 'none')['X-Callee']).toBe('sip:bob@example.com');
  });
});
