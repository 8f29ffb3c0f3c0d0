import type { Config } from '../config/index.js';
import type { Clock } from '../domain/index.js';
import type { Logger } from '../log/index.js';
import type { MediaPath } from '../media/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { BotEventPoster } from './bot-event-poster.js';
import type { UacSignalling } from './uac-leg.js';

/** What every call shares with the daemon. */
export interface CallServices {
  srf: UacSignalling;
  media: MediaPath;
  /** The host of the From URI when a dialout names a caller but no callerHost. */
  localHost: string;
  store: Store;
  notifier: Notifier;
  metrics: Metrics;
  logger: Logger;
  config: Config;
  botEvents: BotEventPoster;
  /** How long the bot may take to answer before the call ends with an error. */
  botAnswerTimeoutMs: number;
  /** After a CANCEL, how long to wait for the far end's final response before giving up on it. */
  cancelGraceMs: number;
  /** This daemon's id in the store: a call's writes stop once another daemon has taken the call over. */
  owner: string;
  /** Time for the call's timers; the system's by default. */
  clock?: Clock;
  /** Whether a trunk may take calls now (its pings and registration, docs/trunks.md); all may when absent. */
  trunks?: { usable(account: string, trunk: string): boolean };
}

