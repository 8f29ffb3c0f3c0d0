import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './types.js';

export type * from './types.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { StoreUnavailableError } from './errors.js';
export { orphanedCalls } from './recovery.js';
export { admissionLimits } from './limits.js';

export type StoreConfig = Config['store'];

/**
 * The store the config names. Never throws for an unreachable Redis: the store starts unhealthy
 * (health().ok false, with the error) and keeps reconnecting; `await store.ready()` to wait for it.
 */
export function createStore(config: StoreConfig, logger: Logger): Store {
  if (config.type === 'redis') {
    return new RedisStore(
      { url: config.url, keyPrefix: config.keyPrefix, recordTtlSeconds: config.recordTtlSeconds },
      logger.child({ component: 'store' }),
    );
  }
  return new MemoryStore({ maxRecords: config.maxRecords });
}
