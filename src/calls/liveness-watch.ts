// Ends an answered call nobody is on any more: a callee or a bridged bot whose RTP stopped (its BYE may
// have been lost), or a call beyond calls.maxCallDurationSec. Checked once a second.

import type { Cancel, Clock } from '../domain/index.js';

export interface LivenessLimits {
  /** 0 turns the RTP check off. */
  rtpTimeoutSec: number;
  /** 0 means no limit. */
  maxCallDurationSec: number;
}

export interface LivenessSources {
  answeredAt: number;
  /** Epoch ms of the callee's last RTP packet, undefined before any. */
  calleeLastRtpAt(): number | undefined;
  /** Epoch ms of the bridged bot's last RTP (or its answer), undefined while no bot is up. */
  botLastRtpAt(): number | undefined;
  /** Why the callee's media ended on its own (the media server anchoring it is gone), if it did. */
  calleeMediaStopped?(): string | undefined;
  /** The same for the bridged bot's media. */
  botMediaStopped?(): string | undefined;
}

/** Why the call should end now, or undefined while it is alive. */
export function deadCallReason(now: number, limits: LivenessLimits, sources: LivenessSources): string | undefined {
  const { rtpTimeoutSec, maxCallDurationSec } = limits;
  if (maxCallDurationSec > 0 && now - sources.answeredAt >= maxCallDurationSec * 1000) {
    return `call exceeded maxCallDurationSec (${maxCallDurationSec} s)`;
  }
  // A leg whose media server went away cannot carry the call any more: end it now, not after the RTP timeout.
  const stopped = sources.calleeMediaStopped?.() ?? sources.botMediaStopped?.();
  if (stopped !== undefined) return stopped;
  if (rtpTimeoutSec <= 0) return undefined;
  const last = sources.calleeLastRtpAt() ?? sources.answeredAt;
  if (now - last >= rtpTimeoutSec * 1000) return `no RTP from the callee for ${rtpTimeoutSec} s`;
  // A bot that vanished without a BYE would otherwise leave the callee connected to nobody.
  const botLast = sources.botLastRtpAt();
  if (botLast !== undefined && now - botLast >= rtpTimeoutSec * 1000) return `no RTP from the bot for ${rtpTimeoutSec} s`;
  return undefined;
}

export class LivenessWatch {
  private readonly cancel: Cancel;

  constructor(clock: Clock, limits: LivenessLimits, sources: LivenessSources, onTick: () => void, onDead: (reason: string) => void) {
    this.cancel = clock.every(1000, () => {
      onTick();
      const reason = deadCallReason(clock.now(), limits, sources);
      if (reason !== undefined) onDead(reason);
    });
  }

  stop(): void {
    this.cancel();
  }
}
