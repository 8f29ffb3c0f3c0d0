// The door for INVITEs a dialer sends in (docs/inbound.md): the first inbound route whose pattern matches
// the Request-URI user takes the INVITE; its source allow-list, digest credentials, X-AMD-* headers and bot
// limits are checked, in that order, and each refusal answers with the status that names the problem. An
// INVITE that passes becomes an InboundCall held by the launcher like any other call.

import { randomUUID } from 'node:crypto';
import type Srf from 'drachtio-srf';
import { UasLeg, type CallServices, type HeldCall, type UasSignalling } from '../calls/index.js';
import { systemClock } from '../domain/index.js';
import { admissionLimits, StoreUnavailableError } from '../store/index.js';
import { amdSettingsFromHeaders } from './amd-headers.js';
import { InboundCall } from './inbound-call.js';
import type { InboundRoute, InboundRoutes } from './routes.js';

export type InboundOutcome = 'answered' | 'no-route' | 'forbidden' | 'challenged' | 'refused' | 'bad-request' | 'busy' | 'unavailable' | 'cancelled';

export interface InboundRouterOptions {
  routes: InboundRoutes;
  services: CallServices;
  /** drachtio-srf's UAS side. */
  uas: UasSignalling;
  /** Why no call is taken now (shutting down, no SIP edge, store down), or undefined. */
  refusal(): string | undefined;
  /** Holds each call until it is done (gauges, shutdown, a lost SIP edge). */
  hold(call: HeldCall): void;
}

/** The user part of a sip:/sips: Request-URI (percent-decoded), or the number of a tel: URI; "" when none. */
export function requestUser(uri: string): string {
  const tel = /^tel:([^;?]+)/i.exec(uri);
  if (tel) return tel[1]!;
  const m = /^sips?:([^@;?]+)@/i.exec(uri);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]!.split(':')[0]!);
  } catch {
    return m[1]!;
  }
}

/** The caller as the From header names it: its user, or its URI without one. */
function callerOf(req: Srf.SrfRequest): string {
  try {
    const uri = (req.getParsedHeader('from') as { uri?: string }).uri ?? '';
    return requestUser(uri) || uri;
  } catch {
    return '';
  }
}

/** A reason text safe for a Warning header. */
const warning = (text: string): Record<string, string> => ({ Warning: `399 outdial "${text.replace(/"/g, "'").replace(/[\\\r\n]/g, '').slice(0, 200)}"` });

export class InboundRouter {
  constructor(private readonly options: InboundRouterOptions) {}

  /** srf.invite's handler; never throws. */
  handle(req: Srf.SrfRequest, res: Srf.SrfResponse): void {
    this.take(req, res).catch((err: unknown) => {
      this.options.services.logger.error({ err }, 'inbound INVITE failed unexpectedly');
      this.send(res, 500, 'Server Internal Error');
    });
  }

  private count(route: InboundRoute | undefined, outcome: InboundOutcome): void {
    this.options.services.metrics.inboundInvites.inc({ route: route?.name ?? '', outcome });
  }

  private send(res: Srf.SrfResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
    try {
      res.send(status, reason, { headers });
    } catch (err) {
      this.options.services.logger.debug({ err, status }, 'response to an inbound INVITE could not be sent');
    }
  }

  private async take(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const { services, routes } = this.options;
    const log = services.logger;
    // A CANCEL while the checks below wait on the store: the edge answers the INVITE 487 itself.
    let cancelled = false;
    req.on('cancel', () => {
      cancelled = true;
    });
    const user = requestUser(req.uri);
    const route = routes.match(user);
    if (!route) {
      this.count(undefined, 'no-route');
      log.info({ uri: req.uri, source: req.source_address }, 'inbound INVITE matches no route');
      return this.send(res, 404, 'Not Found');
    }
    if (route.sources && !route.sources.allows(req.source_address)) {
      this.count(route, 'forbidden');
      log.warn({ route: route.name, source: req.source_address }, 'inbound INVITE from an address the route does not allow');
      return this.send(res, 403, 'Forbidden', warning(`source ${req.source_address} not allowed`));
    }
    if (route.auth) {
      const verdict = route.auth.verify('INVITE', req.get('Authorization'));
      if (!verdict.ok) {
        if (verdict.why === 'refused') {
          this.count(route, 'refused');
          log.warn({ route: route.name, source: req.source_address, detail: verdict.detail }, 'inbound INVITE with wrong credentials');
          return this.send(res, 403, 'Forbidden', warning(verdict.detail));
        }
        this.count(route, 'challenged');
        return this.send(res, 401, 'Unauthorized', { 'WWW-Authenticate': route.auth.challenge(verdict.why === 'stale') });
      }
    }
    const amd = amdSettingsFromHeaders(req.headers);
    if (!amd.ok) {
      this.count(route, 'bad-request');
      return this.send(res, 400, 'Bad Request', warning(amd.error));
    }
    const refusal = this.options.refusal();
    if (refusal) {
      this.count(route, 'unavailable');
      return this.send(res, 503, 'Service Unavailable', warning(refusal));
    }
    const conversationId = randomUUID();
    const { store } = services;
    if (route.bot) {
      let admission;
      try {
        admission = await store.admit(route.bot.name, conversationId, admissionLimits(route.bot));
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        this.count(route, 'unavailable');
        return this.send(res, 503, 'Service Unavailable', warning(err.message));
      }
      if (!admission.admitted) {
        this.count(route, 'busy');
        const limit = admission.reason === 'rate' ? 'dialoutLimitPerSecond' : 'dialoutMaxConcurrentCalls';
        // The dialer keeps its call and may try again: the bot is full, not gone.
        return this.send(res, 486, 'Busy Here', { ...warning(`bot "${route.bot.name}" is at its ${limit}`), 'Retry-After': '1' });
      }
    }
    if (cancelled) {
      if (route.bot) await store.release(route.bot.name, conversationId).catch(() => undefined);
      this.count(route, 'cancelled');
      return;
    }
    const leg = new UasLeg({ srf: this.options.uas, media: services.media, clock: services.clock ?? systemClock, logger: log.child({ conversationId }) }, req, res);
    const call = new InboundCall(
      route,
      { conversationId, callId: req.get('Call-ID') ?? '', requestUri: req.uri, caller: callerOf(req), amd: { ...route.amd, ...amd.settings } },
      leg,
      services,
    );
    try {
      // Written before the answer: a daemon that dies now still leaves a call to recover.
      await store.markActive({ conversationId, owner: services.owner, bot: call.record.bot, since: Date.now() });
      await store.putCall(call.record);
    } catch (err) {
      if (route.bot) await store.release(route.bot.name, conversationId).catch(() => undefined);
      await store.markEnded(conversationId).catch(() => undefined);
      this.count(route, 'unavailable');
      return this.send(res, 503, 'Service Unavailable', warning(`store unavailable: ${(err as Error).message}`));
    }
    this.count(route, 'answered');
    log.info({ conversationId, route: route.name, uri: req.uri, callId: call.record.callId }, 'inbound call accepted');
    this.options.hold(call);
    call.start();
  }
}

