// An authoritative DNS server on loopback UDP for tests (dns-packet over a dgram socket): it answers from the
// records it is given, with their TTLs, NXDOMAIN for names it has nothing for, and counts what it was asked.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export type TestRecord =
  | { type: 'A' | 'AAAA'; name: string; ttl?: number; data: string }
  | { type: 'SRV'; name: string; ttl?: number; data: { priority: number; weight: number; port: number; target: string } }
  | { type: 'NAPTR'; name: string; ttl?: number; data: { order: number; preference: number; flags: string; services: string; regexp: string; replacement: string } };

export interface TestDnsServer {
  /** "127.0.0.1:<port>", as sip.dns.servers takes it. */
  address: string;
  /** Questions asked, as "TYPE name". */
  asked: string[];
  records: TestRecord[];
  close(): Promise<void>;
}

export async function startDnsServer(records: TestRecord[]): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const server: TestDnsServer = { address: '', asked: [], records, close: () => new Promise<void>((r) => socket.close(() => r())) };
  socket.on('message', (data, rinfo) => {
    let query;
    try {
      query = dnsPacket.decode(data);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    server.asked.push(`${question.type} ${question.name}`);
    const name = question.name.toLowerCase();
    const answers = server.records
      .filter((r) => r.type === question.type && r.name.toLowerCase() === name)
      .map((r) => ({ ...r, ttl: r.ttl ?? 300 }));
    const known = server.records.some((r) => r.name.toLowerCase() === name);
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3),
      questions: [question],
      answers,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  server.address = `127.0.0.1:${socket.address().port}`;
  return server;
}
