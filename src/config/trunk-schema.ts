import { z } from 'zod';
import { templateProblem, trunkHeaderNameProblem } from '../trunks/header-rules.js';
import { destinationList, port } from './network-fields.js';

// An account and its trunks in the config (docs/trunks.md): each tenant's carriers, how calls are spread and
// failed over among them, and the headers they get. It stands alone because it is the tenant's part of the
// file, which the trunk selection and the SIP edge read, apart from the daemon-wide sections.

// A callee's busy or decline is an answer, not a carrier failure: another trunk would only ring them again.
const calleeAnswers = new Set([486, 600, 603]);

const trunkHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    const problem = trunkHeaderNameProblem(name) ?? templateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

// A pinned certificate: its SHA-256 fingerprint, 32 bytes in hex, colons optional.
const fingerprint = z.string().regex(/^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 32 bytes in hex (AB:CD:…)');

export const trunkSchema = z
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

export const accountSchema = z
  .object({
    name: z.string().min(1),
    trunks: z.array(trunkSchema).default([]),
    // sip: targets sent to their own host may go only here when set (domains, *.domains, CIDRs).
    allowedTargets: destinationList.optional(),
  })
  .strict();

export type TrunkConfig = z.infer<typeof trunkSchema>;
export type AccountConfig = z.infer<typeof accountSchema>;
