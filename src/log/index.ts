import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs on stdout; a call's lines carry its conversationId through `logger.child({ conversationId })`. */
export function createLogger(level: string = process.env.OUTDIAL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: 'outdial', level });
}
