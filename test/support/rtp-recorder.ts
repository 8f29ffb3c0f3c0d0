// A test's RTP far end: a real UDP socket that keeps every RTP packet it receives (parsed with rtp.js) and
// decodes G.711 payloads, so a test can ask what a listener would have heard.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { RtpPacket, isRtp } from 'rtp.js/packets';
import { decodeG711, type G711Codec } from '../../src/media/index.js';
import { freePort } from './ports.js';
import { untilValue } from './until.js';

const SAMPLE_RATE = 8000;
const CODEC_BY_PT: Record<number, G711Codec> = { 0: 'PCMU', 8: 'PCMA' };

export interface RecordedPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
  /** Where the packet came from (the sender's RTP socket). */
  from: { address: string; port: number };
  /** performance.now() at arrival. */
  arrivedAt: number;
}

/** A span of the decoded audio, in milliseconds from the first audio sample received. */
export interface AudioWindow {
  fromMs?: number;
  toMs?: number;
}

export interface RtpRecorder {
  readonly address: string;
  readonly port: number;
  /** Every RTP packet so far, in arrival order. */
  packets(): RecordedPacket[];
  /** Datagrams that were not RTP (counted, not kept). */
  readonly rejected: number;
  /** Decoded PCMU/PCMA payloads in arrival order (what a listener hears, gaps closed up). */
  pcm(window?: AudioWindow): Int16Array;
  /** Root mean square of the decoded audio (0–32767). */
  rms(window?: AudioWindow): number;
  /** The strongest frequency (Hz, 10 Hz steps between 100 and 3600 Hz) in the decoded audio. */
  dominantFrequency(window?: AudioWindow): number;
  /** Resolves once `count` audio packets have arrived; rejects after timeoutMs. */
  waitForPackets(count: number, timeoutMs?: number): Promise<void>;
  /** Sends raw bytes from this socket (e.g. RTP back to a sender). */
  send(bytes: Uint8Array, port: number, address?: string): Promise<void>;
  close(): Promise<void>;
}

export interface RtpRecorderOptions {
  /** Bind this port instead of a free one (fails if taken). */
  port?: number;
  address?: string;
}

/** Opens a recorder on a free loopback port (or the one asked for). */
export async function startRtpRecorder(options: RtpRecorderOptions = {}): Promise<RtpRecorder> {
  const address = options.address ?? '127.0.0.1';
  if (options.port !== undefined) return new UdpRtpRecorder(await bind(address, options.port), address, options.port);
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort(address);
    try {
      return new UdpRtpRecorder(await bind(address, port), address, port);
    } catch {
      // Another test took the port between the probe and the bind; pick again.
    }
  }
  throw new Error('RtpRecorder: no free UDP port to bind');
}

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(new Error(`RtpRecorder: cannot bind ${address}:${port}: ${err.message}`));
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

class UdpRtpRecorder implements RtpRecorder {
  readonly #packets: RecordedPacket[] = [];
  readonly #audio: Int16Array[] = [];
  #rejected = 0;
  #closed = false;

  constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    // A stray ICMP error on a UDP socket must not end the test process.
    socket.on('error', () => undefined);
  }

  get rejected(): number {
    return this.#rejected;
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const copy = new Uint8Array(msg);
    const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
    if (!isRtp(view)) {
      this.#rejected++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = new RtpPacket(view);
    } catch {
      this.#rejected++;
      return;
    }
    const p = packet.getPayload();
    const payload = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
    const payloadType = packet.getPayloadType();
    this.#packets.push({
      payloadType,
      sequenceNumber: packet.getSequenceNumber(),
      timestamp: packet.getTimestamp(),
      ssrc: packet.getSsrc(),
      marker: packet.getMarker(),
      payload,
      from: { address: rinfo.address, port: rinfo.port },
      arrivedAt: performance.now(),
    });
    const codec = CODEC_BY_PT[payloadType];
    if (codec) this.#audio.push(decodeG711(codec, payload));
  }

  packets(): RecordedPacket[] {
    return [...this.#packets];
  }

  pcm(window: AudioWindow = {}): Int16Array {
    const total = this.#audio.reduce((n, a) => n + a.length, 0);
    const all = new Int16Array(total);
    let o = 0;
    for (const a of this.#audio) {
      all.set(a, o);
      o += a.length;
    }
    const from = Math.max(0, Math.round(((window.fromMs ?? 0) * SAMPLE_RATE) / 1000));
    const to = window.toMs === undefined ? total : Math.min(total, Math.round((window.toMs * SAMPLE_RATE) / 1000));
    return all.slice(from, Math.max(from, to));
  }

  rms(window?: AudioWindow): number {
    return rmsOf(this.pcm(window));
  }

  dominantFrequency(window?: AudioWindow): number {
    return dominantFrequencyOf(this.pcm(window));
  }

  async waitForPackets(count: number, timeoutMs = 10_000): Promise<void> {
    await untilValue(`${count} audio packets at RtpRecorder :${this.port}`, () => this.#audio.length, (n) => n >= count, timeoutMs, 10);
  }

  send(bytes: Uint8Array, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, address, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export function rmsOf(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length);
}

/** Goertzel power scan; 0 when there is no audio. */
export function dominantFrequencyOf(pcm: Int16Array, minHz = 100, maxHz = 3600, stepHz = 10): number {
  if (pcm.length === 0) return 0;
  let best = 0;
  let bestPower = -1;
  for (let hz = minHz; hz <= maxHz; hz += stepHz) {
    const coeff = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
    let s1 = 0;
    let s2 = 0;
    for (const x of pcm) {
      const s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if (power > bestPower) {
      bestPower = power;
      best = hz;
    }
  }
  return best;
}
