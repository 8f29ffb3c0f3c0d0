import { z } from 'zod';
import { templateProblem, trunkHeaderNameProblem } from '../trunks/header-rules.js';
import { inboundRouteSchema } from '../inbound/route-schema.js';
import { DestinationPolicy } from '../notify/destination-policy.js';
import { keyMatchesCertificate, readPem, type PemKind } from './pem.js';

// The config file shape of docs/design.md ("Contracts"). Every key is optional except what a call needs; defaults here are
// the embedded single-box defaults (embedded SIP edge, direct media, memory store).

const port = z.number().int().min(1).max(65535);

// A callee's busy or decline is an answer, not a carrier failure: another trunk would only ring them again.
const calleeAnswers = new Set([486, 600, 603]);

const trunkHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    const problem = trunkHeaderNameProblem(name) ?? templateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

// CIDRs and host names (README "Security"); each entry is parsed here so a typo stops the daemon at start.
const destinationList = z.array(z.string().min(1)).superRefine((entries, ctx) => {
  entries.forEach((entry, i) => {
    try {
      new DestinationPolicy([entry]);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
    }
  });
});

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

// A pinned certificate: its SHA-256 fingerprint, 32 bytes in hex, colons optional.
const fingerprint = z.string().regex(/^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 32 bytes in hex (AB:CD:…)');

const trunkSchema = z
  .object({
    name: z.string().min(1),
    host: z.string().min(1),
    // Without a port, a host that is a domain is resolved through NAPTR/SRV/A (RFC 3263, docs/trunks.md);
    // an IP address without one is reached on 5060 (5061 over TLS).
    port: port.optional(),
    transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    // Over TLS: verify the carrier's certificate (default), pin it by fingerprint, or skip the check.
    tls: z.object({ verify: z.boolean().default(true), fingerprint: fingerprint.optional() }).strict().optional(),
    default: z.boolean().default(false),
    auth: z.object({ username: z.string().min(1), password: z.string() }).strict().optional(),
    // Lower is tried first (default 0); weight (default 1) spreads calls among trunks of equal priority.
    // Left unset rather than defaulted: an account whose trunks set neither still needs a default trunk
    // when it has several (docs/trunks.md).
    priority: z.number().int().min(0).max(1000).optional(),
    weight: z.number().min(0).max(1000).optional(),
    // Final responses that send the call on to the next trunk; timeouts and transport errors always do.
    failoverOn: z
      .array(z.number().int().min(300).max(699).refine((s) => !calleeAnswers.has(s), { message: 'is the callee answering (busy or declined), never a reason to try another trunk' }))
      .default([408, 500, 502, 503, 504]),
    // 0 = no limit; fractional like dialoutLimitPerSecond.
    maxCallsPerSecond: z.number().min(0).max(10000).default(0),
    maxConcurrentCalls: z.number().int().min(0).max(100000).default(0),
    ping: z.object({ intervalSec: z.number().int().min(1).max(3600).default(30) }).strict().optional(),
    register: z
      .object({ username: z.string().min(1), password: z.string(), expiresSec: z.number().int().min(10).max(86400).default(600) })
      .strict()
      .optional(),
    headers: trunkHeaders.default({}),
    fromHost: z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, 'must be a host name or IP address').optional(),
    privacy: z.enum(['id', 'none']).default('none'),
  })
  .strict();

const accountSchema = z
  .object({
    name: z.string().min(1),
    trunks: z.array(trunkSchema).default([]),
    // sip: targets sent to their own host may go only here when set (domains, *.domains, CIDRs).
    allowedTargets: destinationList.optional(),
  })
  .strict();

export const machineDetectionModes = ['disconnect', 'detect', 'disabled'] as const;

const botSchema = z
  .object({
    name: z.string().min(1),
    account: z.string().min(1),
    sipUri: z.string().regex(/^sips?:/, 'must be a sip: URI'),
    eventsUrl: z.string().url().optional(),
    authorizationTag: z.string().optional(),
    dialoutAllowedCallers: z.array(z.string().min(1)).default([]),
    // docs/dialects/audiocodes.md: fractional rate (0.1 = one per 10 s); 0 = no limit.
    dialoutLimitPerSecond: z.number().min(0).max(1000).default(0),
    // docs/dialects/audiocodes.md: 0–300, 0 = no limit.
    dialoutMaxConcurrentCalls: z.number().int().min(0).max(300).default(0),
    // docs/dialects/audiocodes.md: 10–3600 seconds, default 1200.
    dialoutConcurrentCallsExpirationSeconds: z.number().int().min(10).max(3600).default(1200),
    sendEventsToBot: z.array(z.string()).default([]),
  })
  .strict();

const clientSchema = z
  .object({
    id: z.string().min(1),
    secret: z.string().min(1),
    roles: z.array(z.string()).default([]),
    scopes: z.array(z.string()).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    http: z
      .object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(8080) })
      .strict()
      .default({ host: '0.0.0.0', port: 8080 }),
    sip: z
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
      }),
    media: z
      .object({
        mode: z.enum(['direct', 'freeswitch']).default('direct'),
        rtp: z
          .object({
            host: z.string().default('127.0.0.1'),
            portMin: port.default(40000),
            portMax: port.default(49999),
          })
          .strict()
          .refine((r) => r.portMin <= r.portMax, { message: 'portMin must not exceed portMax', path: ['portMin'] })
          .default({ host: '127.0.0.1', portMin: 40000, portMax: 49999 }),
        // The FreeSWITCH servers (event sockets) that anchor calls in media.mode freeswitch (docs/media.md).
        freeswitch: z
          .array(z.object({ address: z.string().min(1), port: port.default(8021), secret: z.string().default('ClueCon') }).strict())
          .optional(),
      })
      .strict()
      .default({ mode: 'direct', rtp: { host: '127.0.0.1', portMin: 40000, portMax: 49999 } }),
    store: z
      .discriminatedUnion('type', [
        z
          .object({
            type: z.literal('memory'),
            // Finished call records kept for GET /api/v1/calls; the oldest are dropped beyond this.
            maxRecords: z.number().int().min(1).default(10000),
          })
          .strict(),
        z
          .object({
            type: z.literal('redis'),
            url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
            keyPrefix: z.string().default('outdial:'),
            recordTtlSeconds: z.number().int().min(60).default(7 * 24 * 3600),
          })
          .strict(),
      ])
      .default({ type: 'memory', maxRecords: 10000 }),
    notifications: z
      .object({
        signingSecret: z.string().default('change-me'),
        // Key rotation: every key here signs each request, newest first; when set it replaces signingSecret.
        signingSecrets: z.array(z.string().min(1)).min(1).optional(),
        timeoutMs: z.number().int().min(100).max(120000).default(5000),
        retries: z.number().int().min(0).max(50).default(5),
        // notifyUrl hosts may be only these when set (CIDRs, host names, *.domains); otherwise any but
        // link-local, unspecified, multicast and reserved addresses.
        allowedDestinations: destinationList.optional(),
      })
      .strict()
      .default({ signingSecret: 'change-me', timeoutMs: 5000, retries: 5 }),
    calls: z
      .object({
        // disconnect mode: what to do when AMD hears nobody or cannot decide in time.
        onUndecided: z.enum(['bridge', 'hangup']).default('bridge'),
        // SIGTERM: how long calls in progress may go on before they are ended with a notification.
        shutdownGraceMs: z.number().int().min(0).max(3600000).default(10000),
        // A bot that has not answered by then ends the call with an error notification.
        botAnswerTimeoutMs: z.number().int().min(1000).max(120000).default(15000),
        // An answered call whose callee sends no RTP for this long is dead (a lost BYE): outdial ends it.
        // 0 turns the check off (for far ends that suppress silence entirely).
        rtpTimeoutSec: z.number().int().min(0).max(3600).default(120),
        // No answered call lasts longer than this; 0 means no limit.
        maxCallDurationSec: z.number().int().min(0).max(86400).default(14400),
      })
      .strict()
      .default({ onUndecided: 'bridge', shutdownGraceMs: 10000, botAnswerTimeoutMs: 15000, rtpTimeoutSec: 120, maxCallDurationSec: 14400 }),
    // API credentials (README "Security"): the longest a Kore auth JWT may live (its exp is required), and how
    // many failed /oauth/token attempts a client id may make per minute before it gets 429.
    auth: z
      .object({
        koreJwtMaxLifetimeSec: z.number().int().min(60).max(31 * 24 * 3600).default(3600),
        tokenFailuresPerMinute: z.number().int().min(1).max(10000).default(10),
      })
      .strict()
      .default({ koreJwtMaxLifetimeSec: 3600, tokenFailuresPerMinute: 10 }),
    // This daemon's id in a shared store; default host:httpPort, stable across restarts so a restarted
    // daemon recognises the calls it owned before.
    instanceId: z.string().min(1).max(200).optional(),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    accounts: z.array(accountSchema).default([]),
    bots: z.array(botSchema).default([]),
    clients: z.array(clientSchema).default([]),
    // AMD for calls a dialer sends in (docs/inbound.md); the first route matching the Request-URI user wins.
    inbound: z.array(inboundRouteSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.media.mode === 'freeswitch') {
      // drachtio-fsmrf creates FreeSWITCH endpoints with INVITEs through a real drachtio-server.
      if (cfg.sip.edge !== 'drachtio') {
        ctx.addIssue({ code: 'custom', path: ['sip', 'edge'], message: 'media.mode "freeswitch" requires sip.edge "drachtio" (drachtio-fsmrf signals through a drachtio-server)' });
      }
      if (!cfg.media.freeswitch || cfg.media.freeswitch.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['media', 'freeswitch'], message: 'media.mode "freeswitch" needs at least one server: [{ address, port, secret }]' });
      }
    }
    const accounts = new Set(cfg.accounts.map((a) => a.name));
    cfg.accounts.forEach((a, i) => {
      if (a.trunks.filter((t) => t.default).length > 1) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'trunks'], message: 'only one trunk may be default' });
      }
      const trunkNames = new Set<string>();
      a.trunks.forEach((t, j) => {
        if (t.transport === 'tls' && cfg.sip.edge === 'embedded' && !cfg.sip.embedded.tls) {
          ctx.addIssue({ code: 'custom', path: ['accounts', i, 'trunks', j, 'transport'], message: '"tls" needs sip.embedded.tls (the certificate and port the carrier reaches us on over TLS)' });
        }
        if (t.tls && t.transport !== 'tls') {
          ctx.addIssue({ code: 'custom', path: ['accounts', i, 'trunks', j, 'tls'], message: 'applies only to a trunk with transport "tls"' });
        }
        if (t.tls?.fingerprint !== undefined && !t.tls.verify) {
          ctx.addIssue({ code: 'custom', path: ['accounts', i, 'trunks', j, 'tls'], message: 'verify: false and a fingerprint contradict each other; a pinned certificate is checked' });
        }
        if (trunkNames.has(t.name)) {
          ctx.addIssue({ code: 'custom', path: ['accounts', i, 'trunks', j, 'name'], message: `duplicate trunk name "${t.name}"` });
        }
        trunkNames.add(t.name);
      });
    });
    const botNames = new Set<string>();
    cfg.bots.forEach((b, i) => {
      if (!accounts.has(b.account)) {
        ctx.addIssue({ code: 'custom', path: ['bots', i, 'account'], message: `unknown account "${b.account}"` });
      }
      if (botNames.has(b.name)) {
        ctx.addIssue({ code: 'custom', path: ['bots', i, 'name'], message: `duplicate bot name "${b.name}"` });
      }
      botNames.add(b.name);
    });
    const routeNames = new Set<string>();
    cfg.inbound.forEach((r, i) => {
      if (r.bot !== undefined && !botNames.has(r.bot)) {
        ctx.addIssue({ code: 'custom', path: ['inbound', i, 'bot'], message: `unknown bot "${r.bot}"` });
      }
      if (routeNames.has(r.name)) ctx.addIssue({ code: 'custom', path: ['inbound', i, 'name'], message: `duplicate inbound route name "${r.name}"` });
      routeNames.add(r.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type TrunkConfig = z.infer<typeof trunkSchema>;
export type AccountConfig = z.infer<typeof accountSchema>;
export type BotConfig = z.infer<typeof botSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
