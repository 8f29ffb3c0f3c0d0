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
  // A stray rejection is a bug to log, not a reason to drop every other call.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  // After an uncaught exception the process state is unknown: log it and exit. The calls it held are
  // finished by the restart (same instanceId) or by another daemon's takeover (README, "Deployment").
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(70);
  });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      // The process ends within the grace plus a bounded time, whatever the store or a far end does.
      const boundMs = config.calls.shutdownGraceMs + stopBoundMs(config);
      setTimeout(() => {
        logger.error({ boundMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, boundMs).unref();
      void running
        .stop()
        .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
        .finally(() => {
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
      void running
        .stop()
        .catch((stopErr: unknown) => logger.error({ err: stopErr }, 'shutdown failed'))
        .finally(() => resolve(1));
    });
  });
}
