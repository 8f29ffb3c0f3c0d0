import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { buildAnswer, buildOffer, parseAnswer, SdpError } from '../../src/media/index.js';

function answer(lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

const base = ['v=0', 'o=carrier 123 1 IN IP4 192.0.2.10', 's=call'];

describe('SDP offer', () => {
  it('offers PCMU, PCMA and telephone-event on our RTP address and port', () => {
    const sdp = buildOffer({ address: '127.0.0.1', port: 40002, sessionId: 4242 });
    expect(sdp).toContain('m=audio 40002 RTP/AVP 0 8 101\r\n');
    expect(sdp).toContain('c=IN IP4 127.0.0.1\r\n');
    expect(sdp).toContain('a=rtpmap:0 PCMU/8000\r\n');
    expect(sdp).toContain('a=rtpmap:8 PCMA/8000\r\n');
    expect(sdp).toContain('a=rtpmap:101 telephone-event/8000\r\n');
    expect(sdp).toContain('a=fmtp:101 0-16\r\n');
    expect(sdp).toContain('a=ptime:20\r\n');
    expect(sdp).toContain('a=sendrecv\r\n');
    const parsed = parse(sdp);
    expect(parsed.origin.sessionId).toBe(4242);
    expect(parsed.origin.address).toBe('127.0.0.1');
  });

  it('honours a codec preference', () => {
    expect(buildOffer({ address: '10.0.0.1', port: 40010, codecs: ['PCMA'] })).toContain('m=audio 40010 RTP/AVP 8 101\r\n');
  });
});

describe('SDP answer parsing', () => {
  it('reads address, port, codec and telephone-event from a typical answer', () => {
    const media = parseAnswer(
      answer([...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 8 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv']),
    );
    expect(media).toEqual({ address: '192.0.2.10', port: 30000, codec: 'PCMA', payloadType: 8, telephoneEventPt: 101, direction: 'sendrecv', ptime: 20 });
  });

  it('prefers the media-level c= over the session-level one', () => {
    const media = parseAnswer(answer([...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'c=IN IP4 198.51.100.7']));
    expect(media.address).toBe('198.51.100.7');
    expect(media.codec).toBe('PCMU');
    expect(media.telephoneEventPt).toBeUndefined();
    expect(media.direction).toBe('sendrecv');
  });

  it('accepts static payload types without rtpmap and a dynamic telephone-event number', () => {
    const media = parseAnswer(answer([...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 0 96', 'a=rtpmap:96 telephone-event/8000', 'a=sendonly']));
    expect(media).toMatchObject({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 96, direction: 'sendonly' });
  });

  it('skips codecs it cannot decode and picks the first G.711 in the answer', () => {
    const media = parseAnswer(answer([...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 18 8 0', 'a=rtpmap:18 G729/8000']));
    expect(media).toMatchObject({ codec: 'PCMA', payloadType: 8 });
  });

  const bad: [string, string[], RegExp][] = [
    ['text that is not SDP', ['hello'], /not a session description/],
    ['no audio m-line', [...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=video 30000 RTP/AVP 96'], /no audio stream \(no m=audio line\)/],
    ['port 0', [...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 0 RTP/AVP 0'], /rejects the audio stream \(m=audio port 0\)/],
    ['no common codec', [...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'], /no codec in common.*18 \(G729\/8000\).*PCMU, PCMA/],
    ['no c= anywhere', [...base, 't=0 0', 'm=audio 30000 RTP/AVP 0'], /no connection address \(c=\)/],
    ['SRTP', [...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/SAVP 0'], /RTP\/SAVP.*only RTP\/AVP/],
  ];
  for (const [what, lines, message] of bad) {
    it(`rejects an answer with ${what}, naming the problem`, () => {
      expect(() => parseAnswer(answer(lines))).toThrow(SdpError);
      expect(() => parseAnswer(answer(lines))).toThrow(message);
    });
  }

  it('rejects an answer whose only G.711 codec was not offered', () => {
    expect(() => parseAnswer(answer([...base, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 30000 RTP/AVP 0']), { codecs: ['PCMA'] })).toThrow(/no codec in common/);
  });
});

describe('SDP answer building', () => {
  it('answers an offer with its first supported codec, its payload numbers and the mirrored direction', () => {
    const offer = answer(['v=0', 'o=bot 9 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 5004 RTP/AVP 18 8 0 100', 'a=rtpmap:18 G729/8000', 'a=rtpmap:100 telephone-event/8000', 'a=sendonly']);
    const { sdp, media } = buildAnswer(offer, { address: '127.0.0.1', port: 40004 });
    expect(media).toMatchObject({ address: '127.0.0.1', port: 5004, codec: 'PCMA', payloadType: 8, telephoneEventPt: 100, direction: 'sendonly' });
    expect(sdp).toContain('m=audio 40004 RTP/AVP 8 100\r\n');
    expect(sdp).toContain('a=rtpmap:100 telephone-event/8000\r\n');
    expect(sdp).toContain('a=recvonly\r\n');
    expect(parseAnswer(sdp)).toMatchObject({ address: '127.0.0.1', port: 40004, codec: 'PCMA', telephoneEventPt: 100 });
  });

  it('refuses to answer an offer without G.711', () => {
    const offer = answer(['v=0', 'o=bot 9 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 5004 RTP/AVP 9', 'a=rtpmap:9 G722/8000']);
    expect(() => buildAnswer(offer, { address: '127.0.0.1', port: 40004 })).toThrow(/SDP offer has no codec in common/);
  });
});
