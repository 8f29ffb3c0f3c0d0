// One inbound route of the config file (docs/inbound.md): which INVITEs it takes (a regular expression on
// the Request-URI user), what AMD does on them, where its events go, and who may send them.

import { z } from 'zod';
import { sourceEntryProblem } from './source-allow-list.js';

const timerMs = z.number().int().min(500).max(60000);

/** The AMD timers of a route; the engine's defaults (docs/amd.md) apply to those left out. */
export const inboundTimersSchema = z
  .object({
    noSpeechTimeoutMs: timerMs.optional(),
    decisionTimeoutMs: timerMs.optional(),
    toneTimeoutMs: timerMs.optional(),
    greetingCompletionTimeoutMs: timerMs.optional(),
    speechEndThresholdMs: z.number().int().min(100).max(10000).optional(),
  })
  .strict();

export const inboundRouteSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, "_", "." or "-"'),
    match: z
      .object({
        user: z.string().min(1).superRefine((pattern, ctx) => {
          try {
            new RegExp(pattern);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: `is not a regular expression: ${(err as Error).message}` });
          }
        }),
      })
      .strict(),
    machineDetection: z.enum(['disconnect', 'detect', 'disabled']),
    thresholdWordCount: z.number().int().min(1).max(100).optional(),
    timers: inboundTimersSchema.optional(),
    actionHook: z.string().url().regex(/^https?:\/\//i, 'must be an http(s) URL'),
    bot: z.string().min(1).optional(),
    sipAuth: z
      .object({
        username: z.string().min(1).regex(/^[^"\\\r\n]+$/, 'must not contain quotes, backslashes or line breaks'),
        password: z.string().min(1),
        realm: z.string().regex(/^[^"\\\r\n]+$/, 'must not contain quotes, backslashes or line breaks').optional(),
      })
      .strict()
      .optional(),
    allowedSources: z
      .array(
        z.string().superRefine((entry, ctx) => {
          const problem = sourceEntryProblem(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .optional(),
  })
  .strict();

export type InboundRouteConfig = z.infer<typeof inboundRouteSchema>;
