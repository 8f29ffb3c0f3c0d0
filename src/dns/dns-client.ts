// A DNS stub resolver over UDP (RFC 1035 §4.2.1), and TCP when an answer comes truncated (RFC 7766 §5), for
// the record types SIP needs (NAPTR, SRV, A, AAAA), keeping each answer for its TTL. node:dns gives NAPTR and SRV records without their TTL, so the packets
// are read here (dns-packet) to cache them as long as the zone says and no longer.

import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { getServers } from 'node:dns';
import { connect, isIP } from 'node:net';
import dnsPacket from 'dns-packet';

export type QueryType = 'NAPTR' | 'SRV' | 'A' | 'AAAA';

/** The records of one answer (the data of each), and how long they may be kept. */
export interface DnsAnswer<T = unknown> {
  records: T[];
  ttlSec: number;
}

export interface DnsClientOptions {
  /** "ip:port" or "ip" (port 53), "[v6]:port"; the system's resolvers when absent. */
  servers?: string[];
  /** How long one query waits for a server before asking the next one. */
  timeoutMs?: number;
  /** How long a name with no records of a type is remembered as having none, at most. */
  negativeTtlSec?: number;
  now?: () => number;
}

interface Server {
  address: string;
  port: number;
}

/** Parses "127.0.0.1:5353", "10.0.0.53", "[::1]:53". */
export function parseServer(text: string): Server {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { address: v6[1]!, port: Number(v6[2] ?? 53) };
  if (isIP(text) === 6) return { address: text, port: 53 };
  const [address = '', port] = text.split(':');
  return { address, port: Number(port ?? 53) };
}

/** A query that no server answered, or that every server refused. */
export class DnsError extends Error {
  override readonly name = 'DnsError';
}

export class DnsClient {
  private readonly servers: Server[];
  private readonly timeoutMs: number;
  private readonly negativeTtlSec: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { answer: DnsAnswer; until: number }>();
  /** Queries asked of a server (not answered from the cache) since start. */
  queries = 0;

  constructor(options: DnsClientOptions = {}) {
    this.servers = (options.servers ?? getServers()).map(parseServer);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.negativeTtlSec = options.negativeTtlSec ?? 30;
    this.now = options.now ?? Date.now;
  }

  /** The records of `type` at `name`, from the cache while their TTL lasts; no records is an empty answer. */
  async query<T = unknown>(name: string, type: QueryType): Promise<DnsAnswer<T>> {
    const key = `${type} ${name.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.answer as DnsAnswer<T>;
    const answer = await this.ask(name, type);
    if (answer.ttlSec > 0) this.cache.set(key, { answer, until: this.now() + answer.ttlSec * 1000 });
    return answer as DnsAnswer<T>;
  }

  /** Asks each server in turn until one answers. */
  private async ask(name: string, type: QueryType): Promise<DnsAnswer> {
    const problems: string[] = [];
    for (const server of this.servers) {
      try {
        return await this.askOne(server, name, type);
      } catch (err) {
        problems.push(`${server.address}:${server.port}: ${(err as Error).message}`);
      }
    }
    throw new DnsError(`no DNS answer for ${type} ${name} (${problems.join('; ') || 'no DNS server configured'})`);
  }

  private async askOne(server: Server, name: string, type: QueryType): Promise<DnsAnswer> {
    this.queries++;
    const id = randomInt(0, 0x10000);
    const query: dnsPacket.Packet = { type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] };
    const packet = await this.overUdp(server, query);
    // A truncated answer is asked again over TCP, where it fits whole.
    return this.answerOf(packet.flag_tc ? await this.overTcp(server, query) : packet, name, type);
  }

  private overTcp(server: Server, query: dnsPacket.Packet): Promise<dnsPacket.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: server.address, port: server.port });
      let buffer = Buffer.alloc(0);
      const finish = (err: Error | undefined, packet?: dnsPacket.DecodedPacket) => {
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(packet!);
      };
      const timer = setTimeout(() => finish(new Error(`no answer over TCP within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.on('error', (err) => finish(err));
      socket.on('connect', () => socket.write(dnsPacket.streamEncode(query)));
      socket.on('data', (data: Buffer) => {
        buffer = Buffer.concat([buffer, data]);
        if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
        try {
          const packet = dnsPacket.decode(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
          if (packet.id !== query.id || packet.type !== 'response') throw new Error('answer does not match the question');
          finish(undefined, packet);
        } catch (err) {
          finish(err as Error);
        }
      });
    });
  }

  private overUdp(server: Server, packet: dnsPacket.Packet): Promise<dnsPacket.DecodedPacket> {
    const query = dnsPacket.encode(packet);
    const id = packet.id;
    return new Promise((resolve, reject) => {
      const socket: Socket = createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4');
      const finish = (err: Error | undefined, answer?: dnsPacket.DecodedPacket) => {
        clearTimeout(timer);
        socket.close();
        if (err) reject(err);
        else resolve(answer!);
      };
      const timer = setTimeout(() => finish(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.on('error', (err) => finish(err));
      socket.on('message', (data, rinfo) => {
        // Only the server asked, with our id, may answer (RFC 5452 §4.2): anything else is ignored.
        if (rinfo.address !== server.address || rinfo.port !== server.port) return;
        let packet;
        try {
          packet = dnsPacket.decode(data);
        } catch {
          return;
        }
        if (packet.id !== id || packet.type !== 'response') return;
        finish(undefined, packet);
      });
      socket.send(query, server.port, server.address);
    });
  }

  private answerOf(packet: dnsPacket.DecodedPacket, name: string, type: QueryType): DnsAnswer {
    const rcode = (packet as { rcode?: string }).rcode ?? 'NOERROR';
    if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') throw new Error(`answered ${rcode}`);
    const bare = (n: string) => n.toLowerCase().replace(/\.$/, '');
    // The name and the names its CNAMEs in the same answer lead to (RFC 1034 §3.6.2).
    const names = new Set([bare(name)]);
    for (const a of packet.answers ?? []) if (a.type === 'CNAME' && names.has(bare(a.name))) names.add(bare(String(a.data)));
    const answers = (packet.answers ?? []).filter((a) => a.type === type && names.has(bare(a.name)));
    if (answers.length === 0) {
      // RFC 2308 §5: a name without records is remembered for the SOA's minimum, bounded by ours.
      const soa = (packet.authorities ?? []).find((a) => a.type === 'SOA') as { ttl?: number } | undefined;
      return { records: [], ttlSec: Math.min(soa?.ttl ?? this.negativeTtlSec, this.negativeTtlSec) };
    }
    const ttlSec = Math.min(...answers.map((a) => ('ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0)));
    return { records: answers.map((a) => (a as { data: unknown }).data), ttlSec };
  }
}
