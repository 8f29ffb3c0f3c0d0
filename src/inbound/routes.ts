// The inbound routes of the config, ready to match: the first route whose pattern matches the
// Request-URI's user takes the INVITE (docs/inbound.md).

import type { BotConfig, Config } from '../config/index.js';
import { amdSettings, type AmdSettings } from '../dialout/index.js';
import { checkUrlDestination } from '../notify/destination-guard.js';
import type { DestinationPolicy } from '../notify/destination-policy.js';
import { DigestAuthenticator } from './digest.js';
import type { InboundRouteConfig } from './route-schema.js';
import { SourceAllowList } from './source-allow-list.js';

export interface InboundRoute {
  config: InboundRouteConfig;
  name: string;
  /** The bot a person is bridged to; undefined leaves the caller with outdial. */
  bot: BotConfig | undefined;
  /** The route's AMD settings before any X-AMD-* header. */
  amd: AmdSettings;
  sources: SourceAllowList | undefined;
  auth: DigestAuthenticator | undefined;
  matches(user: string): boolean;
}

function routeOf(config: InboundRouteConfig, bots: readonly BotConfig[]): InboundRoute {
  const pattern = new RegExp(config.match.user);
  const timers = config.timers ?? {};
  return {
    config,
    name: config.name,
    bot: config.bot === undefined ? undefined : bots.find((b) => b.name === config.bot),
    amd: amdSettings(config.thresholdWordCount, timers),
    sources: config.allowedSources ? new SourceAllowList(config.allowedSources) : undefined,
    auth: config.sipAuth
      ? new DigestAuthenticator({ username: config.sipAuth.username, password: config.sipAuth.password, realm: config.sipAuth.realm ?? 'outdial' })
      : undefined,
    matches: (user) => pattern.test(user),
  };
}

export class InboundRoutes {
  readonly all: readonly InboundRoute[];

  constructor(config: Pick<Config, 'inbound' | 'bots'>) {
    this.all = config.inbound.map((r) => routeOf(r, config.bots));
  }

  /**
   * Each route's actionHook checked against the notification destination policy, as a dialout's notifyUrl
   * is: the problems, naming the key (`inbound[0].actionHook …`). Delivery checks every POST again.
   */
  async actionHookProblems(policy: DestinationPolicy): Promise<string[]> {
    const problems: string[] = [];
    for (const [i, route] of this.all.entries()) {
      const why = await checkUrlDestination(route.config.actionHook, policy);
      if (why !== undefined) problems.push(`inbound[${i}].actionHook ${why}`);
    }
    return problems;
  }

  /** The first route that takes an INVITE for `user`, or undefined (404). */
  match(user: string): InboundRoute | undefined {
    return this.all.find((r) => r.matches(user));
  }
}
