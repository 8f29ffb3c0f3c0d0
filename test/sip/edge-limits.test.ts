// The largest bot INVITE the API lets through must fit what the SIP edge carries whole
// (docs/edge-connection.md): the metadata and caller/target limits of src/dialout against the edge limits of
// src/sip, with the INVITE written the way drachtio-srf writes it onto the edge connection.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { botInviteHeaders } from '../../src/calls/bot-events.js';
import { maxSipFieldLength, metadataLimits } from '../../src/dialout/index.js';
import { buildOffer } from '../../src/media/index.js';
import { MAX_EDGE_HEADER_BYTES, MAX_EDGE_MESSAGE_BYTES } from '../../src/sip/index.js';

const SipMessage = createRequire(import.meta.url)('drachtio-srf/lib/sip-parser/message') as new (o: object) => { toString(): string };

describe('the largest bot INVITE and the SIP edge', () => {
  it(`metadata of ${metadataLimits.maxBytes} bytes with the longest caller and target leaves its headers under ${MAX_EDGE_HEADER_BYTES} bytes`, () => {
    // The header carries the JSON's UTF-8 bytes base64url-encoded, so only their count matters.
    const metadata = { blob: 'x'.repeat(metadataLimits.maxBytes - '{"blob":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(metadataLimits.maxBytes);
    const headers = botInviteHeaders(
      {
        conversationId: randomUUID(),
        callee: `sip:${'u'.repeat(maxSipFieldLength - 'sip:@example.com'.length)}@example.com`,
        caller: '+'.concat('1'.repeat(maxSipFieldLength - 1)),
        metadata,
      },
      'amd_machine_detected_long_greeting',
    );
    const invite = new SipMessage({
      method: 'INVITE',
      uri: `sip:bot@${'b'.repeat(60)}.example.com:5090;transport=udp`,
      headers,
      body: buildOffer({ address: '203.0.113.200', port: 49998 }),
    }).toString();
    const wire = `${randomUUID()}|sip||\r\n${invite}`;
    const headerBytes = Buffer.byteLength(invite.slice(0, invite.indexOf('\r\n\r\n') + 2));
    expect(headerBytes).toBeLessThanOrEqual(MAX_EDGE_HEADER_BYTES);
    expect(Buffer.byteLength(wire)).toBeLessThanOrEqual(MAX_EDGE_MESSAGE_BYTES);
    // The room the edge adds to it (Via, Contact, Call-ID, CSeq, Max-Forwards, To, tags) is left too.
    expect(MAX_EDGE_HEADER_BYTES - headerBytes).toBeGreaterThan(500);
  });
});
