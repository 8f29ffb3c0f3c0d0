import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

/**
 * A loopback port free for both UDP and TCP right now. Tests run in parallel, so each picks its own ports
 * instead of fixed ones; the range stays below the default RTP range (40000–49999).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 19000);
    if ((await udpFree(host, port)) && (await tcpFree(host, port))) return port;
  }
  throw new Error('no free loopback port found');
}

/** An even port with port+1 also free (an RTP/RTCP pair), for far ends that need one. */
export async function freePortPair(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 2 * Math.floor((20000 + Math.random() * 19000) / 2);
    if ((await udpFree(host, port)) && (await udpFree(host, port + 1))) return port;
  }
  throw new Error('no free loopback port pair found');
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** True when something takes TCP connections on this loopback port (a server started as a process of its own). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
