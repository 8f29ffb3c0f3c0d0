import type { CallRecord } from '../../src/domain/index.js';

/** A whole call record as the store keeps it, with `fields` over plausible defaults. */
export function callRecord(fields: Partial<CallRecord> & Pick<CallRecord, 'conversationId'>): CallRecord {
  return {
    dialect: 'audiocodes',
    clientId: 'dialer1',
    bot: 'Bot1',
    account: 'acme',
    target: 'tel:+15551234567',
    requestUri: 'sip:+15551234567@127.0.0.1:5080',
    status: 'initiated',
    createdAt: '2026-01-01T00:00:00.000Z',
    machineDetection: 'disconnect',
    amdEvents: [],
    notificationsQueued: 0,
    ...fields,
  };
}
