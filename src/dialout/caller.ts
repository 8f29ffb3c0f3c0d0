import type { BotConfig } from '../config/index.js';
import { DialoutInvalid } from './errors.js';

/**
 * dialoutAllowedCallers (docs/dialects/audiocodes.md): empty allows any caller; one entry makes caller optional (it is the
 * default); several make it a whitelist.
 */
export function resolveCaller(bot: BotConfig, caller: string | undefined): string {
  const allowed = bot.dialoutAllowedCallers;
  if (caller === undefined) {
    if (allowed.length === 1) return allowed[0]!;
    throw new DialoutInvalid('caller', `caller is required for bot "${bot.name}"`);
  }
  if (allowed.length > 0 && !allowed.includes(caller)) {
    throw new DialoutInvalid('caller', `caller "${caller}" is not in dialoutAllowedCallers of bot "${bot.name}"`);
  }
  return caller;
}
