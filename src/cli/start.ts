import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { Daemon, stopBoundMs } from '../daemon/index.js';
import { createLogger } from '../log/index.js';

/** `outdial start`: returns the exit code; SIGTERM/SIGINT shut the daemon down cleanly. */
export async function runStart(configFile?: string): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`outdial: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(process.env.OUTDIAL_LOG_LEVEL ?? config.log.level);
  let daemon: Daemon | undefined;
  try {
    daemon = new Daemon(config, logger);
    await daemon.start();
  } catch (err) {
    process.stderr.write(`outdial: cannot start: ${(err as Error).message}\n`);
    await daemon?.stop().catch(() => undefined);
    return 1;
  }
  const running = daemon;
  // A bug in one call's code must not take every other call (and its final notification) down with it.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => logger.fatal({ err }, 'uncaught exception; the daemon keeps running'));
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      // The process ends within the grace plus a bounded time, whatever the store or a far end does.
      const boundMs = config.calls.shutdownGraceMs + stopBoundMs(config);
      setTimeout(() => {
        logger.error({ boundMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, boundMs).unref();
      running.stop().finally(() => {
        // Nothing left over (a store client still reconnecting, a stray socket) may keep a stopped daemon alive.
        setTimeout(() => process.exit(), 1000).unref();
        resolve(0);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    // A SIP edge that refuses our secret will refuse it on every retry: stop, and say why.
    void running.failed.then((err) => {
      process.stderr.write(`outdial: ${err.message}\n`);
      running.stop().finally(() => resolve(1));
    });
  });
}
