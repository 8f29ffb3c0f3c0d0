import { z } from 'zod';
import { inboundRouteSchema } from '../inbound/route-schema.js';
import { destinationList, port } from './network-fields.js';
import { sipSchema } from './sip-schema.js';
import { accountSchema } from './trunk-schema.js';

export type { TrunkConfig, AccountConfig } from './trunk-schema.js';

// The config file shape of docs/design.md ("Contracts"). Every key is optional except what a call needs; defaults here are
// the embedded single-box defaults (embedded SIP edge, direct media, memory store).

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
    sip: sipSchema,
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
          .array(
            z
              .object({
                address: z.string().min(1),
                port: port.default(8021),
                secret: z.string().default('ClueCon'),
                // Legs set up on this server at once, and how long the others may wait for their turn
                // (docs/media.md, "A burst of calls": 8 suits a 2-core host).
                legSetupsAtOnce: z.number().int('must be a whole number of legs').min(1).max(1000).default(8),
                legSetupWaitSec: z.number().int('must be a whole number of seconds').min(1).max(300).default(30),
              })
              .strict(),
          )
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
        if (t.tls?.fingerprint !== undefined && cfg.sip.edge === 'drachtio') {
          // A drachtio-server does the TLS itself and pins nothing (docs/edge-connection.md, "SIP over TLS").
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', i, 'trunks', j, 'tls', 'fingerprint'],
            message: "cannot be honoured behind a drachtio-server (sip.edge \"drachtio\"): it checks carriers' certificates itself, against its <tls><chain-file>, and pins none; remove the pin and put this carrier's certificate (or its authority) in that file",
          });
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
export type BotConfig = z.infer<typeof botSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
