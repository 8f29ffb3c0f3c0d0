import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';

describe('metrics', () => {
  it('exposes every call metric in Prometheus text with its labels', async () => {
    const m = createMetrics();
    m.dialoutsAccepted.inc({ bot: 'Bot1' });
    m.dialoutsRejected.inc({ reason: 'rate-limit' }, 2);
    m.callsEnded.inc({ status: 'completed', reasonCode: 'machine-detected' });
    m.amdDecisions.inc({ type: 'amd_machine_detected' });
    m.amdDecisionSeconds.observe(2.38);
    m.notificationDeliveries.inc({ result: 'delivered' });
    m.notificationRetries.inc();
    m.rtpPacketsReceived.inc(150);
    m.rtpPacketsLost.inc(3);
    m.activeCalls.set(4);
    m.notificationsPending.set(2);

    const text = await m.text();
    expect(text).toContain('outdial_dialouts_accepted_total{bot="Bot1"} 1');
    expect(text).toContain('outdial_dialouts_rejected_total{reason="rate-limit"} 2');
    expect(text).toContain('outdial_calls_ended_total{status="completed",reasonCode="machine-detected"} 1');
    expect(text).toContain('outdial_amd_decisions_total{type="amd_machine_detected"} 1');
    expect(text).toContain('outdial_amd_decision_seconds_bucket{le="2"} 0');
    expect(text).toContain('outdial_amd_decision_seconds_bucket{le="3"} 1');
    expect(text).toContain('outdial_amd_decision_seconds_sum 2.38');
    expect(text).toContain('outdial_notification_deliveries_total{result="delivered"} 1');
    expect(text).toContain('outdial_notification_retries_total 1');
    expect(text).toContain('outdial_rtp_packets_received_total 150');
    expect(text).toContain('outdial_rtp_packets_lost_total 3');
    expect(text).toContain('outdial_active_calls 4');
    expect(text).toContain('outdial_notifications_pending 2');
    expect(text).toMatch(/^outdial_build_info\{version="\d+\.\d+\.\d+[^"]*",node="\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toContain('outdial_process_cpu_seconds_total');
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it('keeps two daemons’ metrics in one process apart', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.activeCalls.set(7);
    b.activeCalls.set(1);
    expect(await a.text()).toContain('outdial_active_calls 7');
    expect(await b.text()).toContain('outdial_active_calls 1');
  });
});
