// µ-law containers: the WAV file people and offline tools read, and the RTP pcap SIPp's play_pcap_audio sends.

const WAVE_FORMAT_MULAW = 7;
export const SAMPLE_RATE = 8000;
/** SIPp and outdial both packetise G.711 at 20 ms: 160 samples, one byte each. */
export const PACKET_SAMPLES = 160;

/** A WAVE file holding 8 kHz mono µ-law (format tag 7, 8 bits per sample). */
export function mulawWav(ulaw: Uint8Array): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + ulaw.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_MULAW, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(ulaw.length, 40);
  return Buffer.concat([header, ulaw]);
}

/**
 * A libpcap file of Ethernet/IPv4/UDP/RTP packets, one per 20 ms of audio, timestamped 20 ms apart. SIPp
 * replays the UDP payloads at the capture's pacing and rewrites the ports, so addresses here are placeholders.
 */
export function rtpPcap(ulaw: Uint8Array, payloadType: number, ssrc = 0x0e2e0a0d): Buffer {
  const packets: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  packets.push(global);
  const count = Math.ceil(ulaw.length / PACKET_SAMPLES);
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(PACKET_SAMPLES, 0xff);
    payload.set(ulaw.subarray(i * PACKET_SAMPLES, (i + 1) * PACKET_SAMPLES));
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = (i === 0 ? 0x80 : 0) | payloadType;
    rtp.writeUInt16BE((1000 + i) & 0xffff, 2);
    rtp.writeUInt32BE((i * PACKET_SAMPLES) >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    const udpLength = 8 + rtp.length + payload.length;
    const frame = Buffer.alloc(14 + 20 + 8);
    frame.writeUInt16BE(0x0800, 12);
    frame[14] = 0x45;
    frame.writeUInt16BE(20 + udpLength, 16);
    frame[22] = 64;
    frame[23] = 17;
    frame.set([127, 0, 0, 1], 26);
    frame.set([127, 0, 0, 1], 30);
    frame.writeUInt16BE(ipChecksum(frame.subarray(14, 34)), 24);
    frame.writeUInt16BE(6000, 34);
    frame.writeUInt16BE(6000, 36);
    frame.writeUInt16BE(udpLength, 38);
    const record = Buffer.alloc(16);
    const micros = i * 20_000;
    record.writeUInt32LE(Math.floor(micros / 1e6), 0);
    record.writeUInt32LE(micros % 1e6, 4);
    const length = frame.length + rtp.length + payload.length;
    record.writeUInt32LE(length, 8);
    record.writeUInt32LE(length, 12);
    packets.push(record, frame, rtp, payload);
  }
  return Buffer.concat(packets);
}

function ipChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += ((header[i] as number) << 8) | (header[i + 1] as number);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
