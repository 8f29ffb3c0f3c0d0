// An authoritative DNS server on loopback for tests (dns-packet over UDP and TCP on one port): it answers from
// the records it is given, with their TTLs, NXDOMAIN for names it has nothing for, and counts what it was
// asked. With `udpAnswerLimit`, a UDP answer with more records comes back truncated (TC, no records), as
// a large record set does past 512 bytes, and only TCP gives it whole.
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';

export type TestRecord =
  | { type: 'A' | 'AAAA'; name: string; ttl?: number; data: string }
  | { type: 'SRV'; name: string; ttl?: number; data: { priority: number; weight: number; port: number; target: string } }
  | { type: 'NAPTR'; name: string; ttl?: number; data: { order: number; preference: number; flags: string; services: string; regexp: string; replacement: string } };

export interface TestDnsServer {
  /** "127.0.0.1:<port>", as sip.dns.servers takes it. */
  address: string;
  /** Questions asked, as "TYPE name" (UDP) or "TCP TYPE name". */
  asked: string[];
  records: TestRecord[];
  close(): Promise<void>;
}

export async function startDnsServer(records: TestRecord[], options: { udpAnswerLimit?: number } = {}): Promise<TestDnsServer> {
  let socket = createSocket('udp4');
  let tcp: Server | undefined;
  const server: TestDnsServer = {
    address: '',
    asked: [],
    records,
    close: async () => {
      await new Promise<void>((r) => socket.close(() => r()));
      await new Promise<void>((r) => (tcp ? tcp.close(() => r()) : r()));
    },
  };
  const respond = (data: Buffer, overTcp: boolean): Buffer | undefined => {
    let query;
    try {
      query = dnsPacket.decode(data);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (!question) return undefined;
    server.asked.push(`${overTcp ? 'TCP ' : ''}${question.type} ${question.name}`);
    const name = question.name.toLowerCase();
    const answers = server.records.filter((r) => r.type === question.type && r.name.toLowerCase() === name).map((r) => ({ ...r, ttl: r.ttl ?? 300 }));
    const known = server.records.some((r) => r.name.toLowerCase() === name);
    const truncated = !overTcp && options.udpAnswerLimit !== undefined && answers.length > options.udpAnswerLimit;
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (known ? 0 : 3);
    return dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags, questions: [question], answers: truncated ? [] : answers });
  };
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    socket = udp;
    udp.on('message', (data, rinfo) => {
      const response = respond(data, false);
      if (response) udp.send(response, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const candidate = createServer((conn) => {
      let buffer = Buffer.alloc(0);
      conn.on('error', () => undefined);
      conn.on('data', (data: Buffer) => {
        buffer = Buffer.concat([buffer, data]);
        if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
        const response = respond(buffer.subarray(2, 2 + buffer.readUInt16BE(0)), true);
        if (!response) return void conn.destroy();
        const length = Buffer.alloc(2);
        length.writeUInt16BE(response.length);
        conn.end(Buffer.concat([length, response]));
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      candidate.once('error', () => resolve(false));
      candidate.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) {
      tcp = candidate;
      server.address = `127.0.0.1:${port}`;
      return server;
    }
    // The UDP port's TCP twin is taken: try another pair.
    await new Promise<void>((r) => udp.close(() => r()));
    if (attempt > 20) throw new Error('no UDP and TCP port pair free for the test DNS server');
  }
}
