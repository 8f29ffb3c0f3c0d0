import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../src/edge/message/index.js';
import { StreamFramer } from '../../src/edge/transport/index.js';

const invite = (body: string) =>
  `INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const options = 'OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK2\r\nl: 0\r\n\r\n';

describe('StreamFramer: SIP messages cut out of a TCP byte stream', () => {
  it('joins a message split across segments, even inside a multi-byte character', () => {
    const msg = invite('v=0\r\ns=café\r\n');
    const bytes = Buffer.from(msg);
    const framer = new StreamFramer();
    const cut = bytes.indexOf('é') + 1;
    expect(framer.push(bytes.subarray(0, 20))).toEqual([]);
    expect(framer.push(bytes.subarray(20, cut))).toEqual([]);
    expect(framer.push(bytes.subarray(cut))).toEqual([msg]);
  });

  it('splits several messages in one segment and skips CRLF keep-alives between them', () => {
    const a = invite('v=0\r\n');
    const framer = new StreamFramer();
    expect(framer.push(Buffer.from(`\r\n\r\n${a}\r\n\r\n${options}${a.slice(0, 10)}`))).toEqual([a, options]);
    expect(framer.push(Buffer.from(a.slice(10)))).toEqual([a]);
  });

  it('refuses a stream whose message has no Content-Length or an endless header section', () => {
    const noLength = 'INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK3\r\n\r\nv=0';
    expect(() => new StreamFramer().push(Buffer.from(noLength))).toThrow(SipParseError);
    expect(() => new StreamFramer().push(Buffer.from(`INVITE sip:x SIP/2.0\r\nX: ${'a'.repeat(40_000)}`))).toThrow(
      /header section longer/,
    );
  });
});
