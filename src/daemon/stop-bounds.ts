import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';

// How long stopping the daemon may take: every step of Daemon.stop() is bounded by these.

/** How long writes keep being retried after the grace before they are given up. */
export const WRITE_RETRY_AFTER_GRACE_MS = 5000;
/** The longest any one later step of stop() may take. */
export const STEP_MS = 5000;
/**
 * How long after the grace a stopping daemon may take at most: the calls' own teardown (launcher bound),
 * direct notifications, the notifier and the steps above. The CLI exits by then whatever is left.
 */
export function stopBoundMs(config: Config): number {
  const sendMs = config.notifications.timeoutMs;
  return 4000 + 5000 + (sendMs + 1000) + (sendMs + 2000) + (sendMs + 1000) + 5 * STEP_MS;
}

/** Waits for `work`, at most `ms`; a step that overruns is logged and left behind. */
export async function within(work: Promise<unknown> | undefined, ms: number, what: string, log: Logger): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const result = await Promise.race([work.then(() => 'done' as const, (err: unknown) => (log.warn({ err, what }, 'stop step failed'), 'done' as const)), late]);
  clearTimeout(timer);
  if (result === 'late') log.error({ what, ms }, 'stop step did not finish in time; going on without it');
}
