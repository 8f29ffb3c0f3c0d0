// What every call, outbound (outbound-call.ts) or inbound (inbound/inbound-call.ts), builds the same way
// around its record: the lifecycle that keeps the record's status, the journal that writes and notifies,
// what its legs need; and how it closes: the far party's media reported, then `ended` once every leg is
// torn down and the store has everything.

import type { CallRecord, Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import type { LegMedia } from '../media/index.js';
import type { AudioLevel } from './audio-level.js';
import { CallJournal, type NotifyTarget } from './call-journal.js';
import type { CallServices } from './call-services.js';
import { CallLifecycle } from './call-state.js';
import { mediaSummary } from './media-summary.js';
import { OrderedWrites } from './persist.js';
import { RtpReport } from './rtp-report.js';
import type { UacLegServices } from './uac-leg.js';

export interface CallParts {
  lifecycle: CallLifecycle;
  journal: CallJournal;
  legServices: UacLegServices;
}

/** The call's lifecycle (keeping `record.status`), its journal, and the services of its UAC legs. */
export function callParts(record: CallRecord, services: CallServices, clock: Clock, log: Logger, notify: NotifyTarget): CallParts {
  const lifecycle = new CallLifecycle(clock.now(), (state) => {
    record.status = lifecycle.status;
    log.debug({ state }, 'call state');
  });
  const journal = new CallJournal(
    record,
    { store: services.store, notifier: services.notifier, metrics: services.metrics, logger: log, owner: services.owner, writes: new OrderedWrites(log) },
    notify,
  );
  const legServices = { srf: services.srf, media: services.media, clock, logger: log, cancelGraceMs: services.cancelGraceMs };
  return { lifecycle, journal, legServices };
}

/**
 * At the end of a call: the far party's RTP counters into the metrics (through `rtp`, or a report made
 * now) and its media summary into the record. Returns the report used.
 */
export function reportMedia(record: CallRecord, media: LegMedia | undefined, level: AudioLevel, services: CallServices, rtp: RtpReport | undefined): RtpReport | undefined {
  if (!media) return rtp;
  const report = rtp ?? new RtpReport(services.metrics, () => media.stats);
  report.report();
  record.media = mediaSummary(media, level);
  return report;
}

/** Once `teardown` (CANCEL, BYEs) and the journal's writes are done, the call is `ended` and `done` runs. */
export function closeWhenTornDown(parts: Omit<CallParts, 'legServices'>, clock: Clock, teardown: Promise<void>[], done: () => void): void {
  void Promise.all([...teardown, parts.journal.settled()]).then(() => {
    parts.lifecycle.to('ended', clock.now());
    done();
  });
}
