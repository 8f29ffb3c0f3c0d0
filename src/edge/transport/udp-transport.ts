import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { SipParseError } from '../message/index.js';
import type { Peer } from './peer.js';
import { emitParsed, type TransportEvents } from './transport-events.js';
import { bound } from './bind.js';

/**
 * Largest datagram read; bigger ones are dropped unread. RFC 3261 §18.1.1 keeps UDP messages near the MTU,
 * so a real INVITE with a large SDP stays far below this, and no datagram can make us parse megabytes.
 */
export const MAX_DATAGRAM = 32_768;

/** Shorter than any SIP start line plus one header. */
const MIN_MESSAGE = 16;

/** SIP over UDP (RFC 3261 §18): one message per datagram, parsed on arrival. */
export class UdpTransport extends EventEmitter<TransportEvents> {
  private socket: Socket | undefined;
  local: Peer = { address: '', port: 0 };

  async listen(host: string, port: number): Promise<Peer> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    await bound(socket, (ready) => socket.bind(port, host, ready));
    socket.on('error', () => undefined);
    widenBuffers(socket);
    socket.on('message', (data, rinfo) => this.onDatagram(data, { address: rinfo.address, port: rinfo.port }));
    this.socket = socket;
    const addr = socket.address();
    this.local = { address: addr.address, port: addr.port };
    return this.local;
  }

  send(text: string, to: Peer): void {
    this.socket?.send(text, to.port, to.address);
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }

  private onDatagram(data: Buffer, from: Peer): void {
    if (data.length > MAX_DATAGRAM) {
      this.emit('malformed', new SipParseError(`datagram of ${data.length} bytes exceeds ${MAX_DATAGRAM}`, 513), from, '');
      return;
    }
    if (data.length < MIN_MESSAGE) {
      // CRLF keep-alives (RFC 5626 §4.4.1) are expected; other scraps are noise worth counting.
      if (!isKeepAlive(data)) this.emit('malformed', new SipParseError(`datagram of ${data.length} bytes is too short`), from, '');
      return;
    }
    emitParsed(this, data.toString('utf8'), from, true);
  }
}

/** Socket buffers asked of the kernel; it caps them at net.core.rmem_max / wmem_max. */
const SOCKET_BUFFER = 4 * 1024 * 1024;

/**
 * At a few hundred calls per second the default ~200 KB receive buffer holds well under a second of
 * traffic, so one garbage-collection pause drops datagrams and turns into retransmissions or lost calls.
 */
function widenBuffers(socket: Socket): void {
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER);
    socket.setSendBufferSize(SOCKET_BUFFER);
  } catch {
    // The kernel keeps its defaults; SIP still works, only bursts are less forgiving.
  }
}

function isKeepAlive(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}
