import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { Daemon } from '../daemon/index.js';
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
  const daemon = new Daemon(config, logger);
  try {
    await daemon.start();
  } catch (err) {
    process.stderr.write(`outdial: cannot start: ${(err as Error).message}\n`);
    await daemon.stop().catch(() => undefined);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      daemon.stop().finally(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}
