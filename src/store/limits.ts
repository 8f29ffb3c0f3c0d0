import type { BotConfig } from '../config/index.js';
import type { AdmissionLimits } from './types.js';

/** Rejects limits no config could produce, naming the field, so both stores never see NaN or negatives. */
export function checkLimits(limits: AdmissionLimits): void {
  for (const field of ['limitPerSecond', 'maxConcurrentCalls', 'expirationSeconds'] as const) {
    const value = limits[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`admission limits: ${field} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (limits.expirationSeconds <= 0) throw new RangeError('admission limits: expirationSeconds must be > 0');
}

/** A bot's dialout limits (docs/dialects/audiocodes.md names) as the store's admission takes them. */
export function admissionLimits(
  bot: Pick<BotConfig, 'dialoutLimitPerSecond' | 'dialoutMaxConcurrentCalls' | 'dialoutConcurrentCallsExpirationSeconds'>,
): AdmissionLimits {
  return {
    limitPerSecond: bot.dialoutLimitPerSecond,
    maxConcurrentCalls: bot.dialoutMaxConcurrentCalls,
    expirationSeconds: bot.dialoutConcurrentCallsExpirationSeconds,
  };
}
