import { describe, expect, it } from 'vitest';
import { inboundPackets, inboundPollMs } from '../../src/media/freeswitch/leg.js';
import { listenerOffer } from '../../src/media/freeswitch/leg-setup.js';
import { parseOffer } from '../../src/media/sdp.js';

describe('FreeSWITCH leg liveness', () => {
  it('reads the far end’s packet count from a mediaStats reply; anything else is no count', () => {
    const reply = JSON.stringify({ command: 'mediaStats', status: 'success', response: { audio: { in_raw_bytes: 61920, in_packet_count: 360, out_packet_count: 358 } } });
    expect(inboundPackets(reply)).toBe(360);
    expect(inboundPackets(JSON.stringify({ command: 'mediaStats', status: 'error', response: 'Session does not exist' }))).toBeUndefined();
    expect(inboundPackets('-ERR no reply')).toBeUndefined();
  });

  it('asks four times per RTP timeout, between 0.25 and 15 s', () => {
    expect(inboundPollMs(2)).toBe(500);
    expect(inboundPollMs(120)).toBe(15_000);
    expect(inboundPollMs(0.5)).toBe(250);
  });

  it('offers the listening channel 10 ms packets (the leg runs at 20 ms), so its eavesdrop drains its backlog', () => {
    const sdp = listenerOffer('127.0.0.1', 40000);
    expect(sdp).toContain('\r\na=ptime:10\r\n');
    expect(sdp).not.toContain('a=ptime:20');
    expect(parseOffer(sdp)).toMatchObject({ port: 40000, ptime: 10 });
  });
});
