// Probes for orchestrators and load balancers (docs/operations.md, "Probes"):
//  - GET /livez: the process serves HTTP. Always 200: restarting a daemon whose Redis is down only drops
//    its live calls, so liveness must not depend on anything outside the process.
//  - GET /readyz: whether this daemon should be sent new dialouts now; 503 lists every reason it should not.
//  - GET /healthz: the parts and their state (200 only when the SIP edge and the store are usable).

import type { FastifyInstance } from 'fastify';

/** One part a new dialout needs, and what is wrong with it when it is not usable. */
export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** What /readyz answers with. */
export interface Readiness {
  ready: boolean;
  /** One line per failed check, in check order: empty when ready. */
  reasons: string[];
  checks: { sip: ReadinessCheck; store: ReadinessCheck; media: ReadinessCheck; trunks: ReadinessCheck; draining: ReadinessCheck };
}

/** The facts readiness is decided from, as the daemon knows them at the moment of the probe. */
export interface ReadinessFacts {
  sipConnected: boolean;
  store: { ok: boolean; error?: string | undefined };
  /** Media servers (or, for direct media, free RTP ports) able to take a call. */
  media: ReadinessCheck;
  /** Trunks configured over all accounts, and how many of them are usable. */
  trunks: { configured: number; up: number };
  draining: boolean;
}

/** Pure: readiness from the facts. */
export function readinessOf(facts: ReadinessFacts): Readiness {
  const checks: Readiness['checks'] = {
    sip: facts.sipConnected ? { ok: true } : { ok: false, detail: 'no SIP edge is connected' },
    store: facts.store.ok ? { ok: true } : { ok: false, detail: `store unavailable: ${facts.store.error ?? 'not connected'}` },
    media: facts.media,
    trunks:
      facts.trunks.configured === 0
        ? { ok: false, detail: 'no trunk is configured' }
        : facts.trunks.up === 0
          ? { ok: false, detail: `all ${facts.trunks.configured} trunks are down` }
          : { ok: true },
    draining: facts.draining ? { ok: false, detail: 'outdial is shutting down' } : { ok: true },
  };
  const reasons = Object.values(checks).flatMap((c) => (c.ok ? [] : [c.detail ?? 'not usable']));
  return { ready: reasons.length === 0, reasons, checks };
}

export interface HealthProbes {
  /** The /healthz body; `ok` decides 200 or 503. */
  health(): { ok: boolean };
  readiness(): Readiness;
}

export const livePath = '/livez';
export const readyPath = '/readyz';
export const healthPath = '/healthz';

export function healthRoutes(app: FastifyInstance, probes: HealthProbes): void {
  app.get(livePath, (_req, reply) => reply.send({ status: 'ok' }));
  app.get(readyPath, (_req, reply) => {
    const readiness = probes.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get(healthPath, async (_req, reply) => {
    const health = probes.health();
    return reply.code(health.ok ? 200 : 503).send(health);
  });
}
