import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { buildInfo } from './build-info.js';

/** Why a dialout was refused: the HTTP status family the API answers with, in the API's own words. */
export type DialoutRejectionReason =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'unknown-bot'
  | 'rate-limit'
  | 'concurrency-limit'
  | 'trunk-limit'
  | 'unavailable';

/** Outcome of one notification delivery attempt. */
export type NotificationResult = 'delivered' | 'failed' | 'given-up';

/**
 * The daemon's Prometheus metrics. Each daemon gets its own Registry (never prom-client's global one), so
 * several daemons in one process, and tests, never clash.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly dialoutsAccepted: Counter<'bot'>;
  readonly dialoutsRejected: Counter<'reason'>;
  readonly callsEnded: Counter<'status' | 'reasonCode'>;
  readonly amdDecisions: Counter<'type'>;
  /** Seconds of audio from answer to the AMD's first decision. */
  readonly amdDecisionSeconds: Histogram;
  readonly notificationDeliveries: Counter<'result'>;
  readonly notificationRetries: Counter;
  readonly rtpPacketsReceived: Counter;
  readonly rtpPacketsLost: Counter;
  /** RTP packets dropped unheard, by why: `unexpected-source` (not from the address the call's SDP names). */
  readonly rtpPacketsDropped: Counter<'reason'>;
  readonly activeCalls: Gauge;
  /** INVITEs a dialer sent in (docs/inbound.md), by route ("" when none matched) and how they were answered. */
  readonly inboundInvites: Counter<'route' | 'outcome'>;
  /** Notifications in the outbox not yet delivered or given up (set at scrape time). */
  readonly notificationsPending: Gauge;
  /** INVITE attempts per trunk, by how they ended (a SIP status, `answered`, `timeout`, `transport`); rate() gives calls/s. */
  readonly trunkAttempts: Counter<'account' | 'trunk' | 'status'>;
  /** 1 while a trunk answers its OPTIONS pings (always 1 for a trunk not pinged). */
  readonly trunkUp: Gauge<'account' | 'trunk'>;
  /** 1 while a trunk that registers holds a binding. */
  readonly trunkRegistered: Gauge<'account' | 'trunk'>;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
  /** The Content-Type header for `text()`. */
  readonly contentType: string;
}

/** outdial_build_info{version,node}: always 1; joins a version onto any other series in a query. */
function registerBuildInfo(registry: Registry): void {
  const info = buildInfo();
  new Gauge({ name: 'outdial_build_info', help: 'outdial version and Node.js version of this daemon (value always 1)', labelNames: ['version', 'node'], registers: [registry] })
    .set({ version: info.version, node: info.node }, 1);
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'outdial_' });
  registerBuildInfo(registry);

  return {
    registry,
    dialoutsAccepted: new Counter({
      name: 'outdial_dialouts_accepted_total',
      help: 'Dialout requests accepted (a call was started)',
      labelNames: ['bot'],
      registers,
    }),
    dialoutsRejected: new Counter({
      name: 'outdial_dialouts_rejected_total',
      help: 'Dialout requests refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    callsEnded: new Counter({
      name: 'outdial_calls_ended_total',
      help: 'Calls ended, by final status and reasonCode',
      labelNames: ['status', 'reasonCode'],
      registers,
    }),
    amdDecisions: new Counter({
      name: 'outdial_amd_decisions_total',
      help: 'First AMD decisions, by event type',
      labelNames: ['type'],
      registers,
    }),
    amdDecisionSeconds: new Histogram({
      name: 'outdial_amd_decision_seconds',
      help: 'Seconds of audio from answer to the first AMD decision',
      buckets: [0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20],
      registers,
    }),
    notificationDeliveries: new Counter({
      name: 'outdial_notification_deliveries_total',
      help: 'Notification delivery attempts, by result',
      labelNames: ['result'],
      registers,
    }),
    notificationRetries: new Counter({
      name: 'outdial_notification_retries_total',
      help: 'Notification delivery attempts that were retries of an earlier failed attempt',
      registers,
    }),
    rtpPacketsReceived: new Counter({
      name: 'outdial_rtp_packets_received_total',
      help: 'RTP packets received from callees',
      registers,
    }),
    rtpPacketsLost: new Counter({
      name: 'outdial_rtp_packets_lost_total',
      help: 'RTP packets lost, from gaps in sequence numbers',
      registers,
    }),
    rtpPacketsDropped: new Counter({
      name: 'outdial_rtp_packets_dropped_total',
      help: "RTP packets dropped unheard: unexpected-source = not from the address the call's SDP names",
      labelNames: ['reason'],
      registers,
    }),
    inboundInvites: new Counter({
      name: 'outdial_inbound_invites_total',
      help: 'INVITEs sent in by a dialer, by inbound route and outcome (answered, no-route, forbidden, challenged, refused, bad-request, busy, unavailable, cancelled)',
      labelNames: ['route', 'outcome'],
      registers,
    }),
    activeCalls: new Gauge({
      name: 'outdial_active_calls',
      help: 'Calls in progress in this daemon',
      registers,
    }),
    notificationsPending: new Gauge({
      name: 'outdial_notifications_pending',
      help: 'Notifications this daemon holds not yet delivered or given up (the outbox backlog)',
      registers,
    }),
    trunkAttempts: new Counter({
      name: 'outdial_trunk_attempts_total',
      help: 'INVITE attempts per trunk, by how they ended',
      labelNames: ['account', 'trunk', 'status'],
      registers,
    }),
    trunkUp: new Gauge({
      name: 'outdial_trunk_up',
      help: '1 while the trunk answers its OPTIONS pings (or is not pinged), 0 while it is down',
      labelNames: ['account', 'trunk'],
      registers,
    }),
    trunkRegistered: new Gauge({
      name: 'outdial_trunk_registered',
      help: '1 while the trunk holds a registration, 0 otherwise (trunks that register only)',
      labelNames: ['account', 'trunk'],
      registers,
    }),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
