import type { BotConfig, ClientConfig } from '../../config/index.js';

export const dialoutRole = 'VAIC/BOTS/DIALOUT';

/** Whether one of the client's scopes covers the bot (docs/dialects/audiocodes.md): `*`, the bot's name, or `tag=<authorizationTag>`. */
export function scopeCovers(scopes: readonly string[], bot: BotConfig): boolean {
  return scopes.some(
    (s) => s === '*' || s === bot.name || (bot.authorizationTag !== undefined && bot.authorizationTag !== '' && s === `tag=${bot.authorizationTag}`),
  );
}

/** Why the client may not dial out for the bot, or undefined when it may. */
export function dialoutDenied(client: ClientConfig, bot: BotConfig): string | undefined {
  if (!client.roles.includes(dialoutRole)) return `client "${client.id}" lacks role ${dialoutRole}`;
  if (!scopeCovers(client.scopes, bot)) return `client "${client.id}" has no scope for bot "${bot.name}"`;
  return undefined;
}
