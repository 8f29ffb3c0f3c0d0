import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { freePort } from '../support/ports.js';

// Every series the Grafana dashboard queries is one a running daemon exposes on /metrics.
const dashboard = JSON.parse(readFileSync('docker/grafana/outdial-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
let daemon: TestDaemon;
let exposition: string;

beforeAll(async () => {
  daemon = await startTestDaemon({ carrierPort: await freePort(), botPort: await freePort() });
  exposition = await (await fetch(`${daemon.url}/metrics`)).text();
});
afterAll(async () => {
  await daemon?.stop();
});

/** Metric names of /metrics: from # TYPE lines, with a histogram's _bucket/_sum/_count series. */
function exposed(): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram' || m[2] === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m[1]}${s}`);
  }
  return names;
}

describe('docker/grafana/outdial-dashboard.json', () => {
  it('queries only metrics that /metrics exposes, and covers what an operator watches', () => {
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\boutdial_[a-z0-9_]+/g)].map((m) => m[0]))));
    expect(queried.size).toBeGreaterThanOrEqual(12);
    const names = exposed();
    expect([...queried].filter((q) => !names.has(q))).toEqual([]);
    for (const must of [
      'outdial_calls_ended_total',
      'outdial_active_calls',
      'outdial_amd_decisions_total',
      'outdial_amd_decision_seconds_bucket',
      'outdial_notification_deliveries_total',
      'outdial_notifications_pending',
      'outdial_rtp_packets_lost_total',
      'outdial_trunk_attempts_total',
      'outdial_build_info',
    ]) {
      expect(queried).toContain(must);
    }
  });

  it('metric names follow Prometheus conventions: counters end in _total, no millisecond units', () => {
    for (const m of exposition.matchAll(/^# TYPE (outdial_\S+) counter$/gm)) expect(m[1]).toMatch(/_total$/);
    expect(exposition).not.toMatch(/^# TYPE outdial_\S*_(ms|milliseconds)\b/m);
    expect(exposition).toMatch(/^outdial_build_info\{version="[^"]+",node="[^"]+"\} 1$/m);
  });
});
