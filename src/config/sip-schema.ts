import { z } from 'zod';
import { port } from './network-fields.js';
import { keyMatchesCertificate, readPem, type PemKind } from './pem.js';

// The config's `sip` section (docs/design.md, "Contracts"): which SIP edge, the embedded edge's listeners and
// TLS certificate, the DNS resolver for trunk domains and the session timer. It stands alone because it is
// the edge's part of the file, with its own start-time checks (PEM files read and matched), apart from the
// tenants' trunks and the other sections.

// SIP over TLS on the embedded edge (docs/sip-edge.md, "TLS"): PEM files, read and checked at start.
const pemFiles: Array<[key: 'cert' | 'key' | 'ca', kind: PemKind]> = [
  ['cert', 'certificate'],
  ['key', 'private key'],
  ['ca', 'certificate'],
];
const embeddedTlsSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(5061),
    cert: z.string().min(1),
    key: z.string().min(1),
    ca: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((tls, ctx) => {
    const read: Partial<Record<'cert' | 'key' | 'ca', string>> = {};
    for (const [key, kind] of pemFiles) {
      const path = tls[key];
      if (path === undefined) continue;
      try {
        read[key] = readPem(path, kind);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [key], message: (err as Error).message });
      }
    }
    if (read.cert && read.key && !keyMatchesCertificate(read.cert, read.key)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: `${tls.key} is not the private key of the certificate in ${tls.cert}` });
    }
  });

// A resolver for trunk domains (RFC 3263 NAPTR/SRV/A); the system's resolvers when absent.
const dnsServer = z.string().regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, 'must be an IP address with an optional port (127.0.0.1:5353, [::1]:53)');
const dnsSchema = z
  .object({
    servers: z.array(dnsServer).min(1).optional(),
    // How long one query waits for an answer before the next server (or the next try) is asked.
    timeoutMs: z.number().int().min(50).max(30000).default(2000),
  })
  .strict();

export const sipSchema = z
  .object({
    edge: z.enum(['embedded', 'drachtio']).default('embedded'),
    embedded: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(5060),
        tls: embeddedTlsSchema.optional(),
        // Address put in Via/Contact when it differs from the bind address (NAT, 0.0.0.0 binds).
        publicAddress: z.string().optional(),
        // RFC 3261 T1 (ms): an INVITE nobody answers at all fails after Timer B = 64 × T1 (32 s at the
        // default 500), which is when a trunk that stays silent is given up for the next (docs/trunks.md).
        t1Ms: z.number().int().min(10).max(5000).optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 5060 }),
    drachtio: z
      .object({ host: z.string().default('127.0.0.1'), port: port.default(9022), secret: z.string().default('cymru') })
      .strict()
      .default({ host: '127.0.0.1', port: 9022, secret: 'cymru' }),
    dns: dnsSchema.optional(),
    // RFC 4028: the Session-Expires (s) callee INVITEs ask for, with `Supported: timer`; 0 asks for none.
    sessionExpiresSec: z.union([z.literal(0), z.number().int().min(90).max(86400)]).default(1800),
  })
  .strict()
  .default({
    sessionExpiresSec: 1800,
    edge: 'embedded',
    embedded: { host: '127.0.0.1', port: 5060 },
    drachtio: { host: '127.0.0.1', port: 9022, secret: 'cymru' },
  });
