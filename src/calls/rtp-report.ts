// The callee's RTP counts added to the daemon's counters while the call is up, not only when it ends.

import type { LegMediaStats } from '../media/index.js';
import type { Metrics } from '../metrics/index.js';

export class RtpReport {
  private reported = { received: 0, lost: 0 };

  constructor(
    private readonly metrics: Metrics,
    private readonly stats: () => LegMediaStats,
  ) {
    metrics.rtpPacketsReceived.inc(0);
  }

  /** Adds what arrived since the last report. */
  report(): void {
    const { packetsReceived, packetsLost } = this.stats();
    this.metrics.rtpPacketsReceived.inc(Math.max(0, packetsReceived - this.reported.received));
    // A late packet can lower the loss count; a counter only goes up, so only increases are added.
    if (packetsLost > this.reported.lost) this.metrics.rtpPacketsLost.inc(packetsLost - this.reported.lost);
    this.reported = { received: Math.max(packetsReceived, this.reported.received), lost: Math.max(packetsLost, this.reported.lost) };
  }
}
