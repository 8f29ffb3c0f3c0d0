export { configSchema, machineDetectionModes } from './schema.js';
export type { Config, TrunkConfig, AccountConfig, BotConfig, ClientConfig } from './schema.js';
export { loadConfig, parseConfig, ConfigError } from './load.js';
