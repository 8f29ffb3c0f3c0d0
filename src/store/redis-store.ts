import type { CallRecord } from '../domain/index.js';
import { Redis, ReplyError } from 'ioredis';
import type { Logger } from '../log/index.js';
import { backoffDelay, STORE_BACKOFF } from '../retry/backoff.js';
import { StoreUnavailableError } from './errors.js';
import { checkLimits } from './limits.js';
import { orderOutbox } from './outbox-order.js';
import { limiterKey, storeKey, type LimiterKind } from './redis-keys.js';
import { activeSlotsScript, admitScript, claimLeaseScript, outboxUpdateScript } from './redis-scripts.js';
import type { ActiveCall, Admission, AdmissionLimits, OutboxEntry, Store, StoreHealth } from './types.js';

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  recordTtlSeconds: number;
  /** A command without a reply for this long fails, so a hung Redis cannot stall dialout admission. */
  commandTimeoutMs?: number;
}

interface ScriptCommands {
  outdialAdmit(rateKey: string, slotsKey: string, ...argv: string[]): Promise<[number, string?]>;
  outdialActiveSlots(slotsKey: string, nowMs: string): Promise<number>;
  outdialOutboxUpdate(outboxKey: string, id: string, json: string): Promise<number>;
  outdialClaimLease(leaseKey: string, owner: string, ttlMs: string): Promise<number>;
}

/** The store shared by several daemons: call records, limits, the outbox and call ownership live in Redis. */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly redis: Redis & ScriptCommands;
  private connected = false;
  private lastError: string | undefined;
  private closing = false;
  private readonly where: string;
  /** Set while the connection is up but Redis does not answer (a hung or paused server). */
  private unanswered: string | undefined;
  private probe: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: RedisStoreOptions,
    private readonly logger: Logger,
  ) {
    this.where = redactUrl(options.url);
    this.redis = new Redis(options.url, {
      // Fail at once while disconnected instead of queueing: a dialout must get its 503 now, not later.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      connectTimeout: 2000,
      // Keep reconnecting for ever, backing off to one attempt a second.
      retryStrategy: (times) => Math.min(times * 100, 1000),
    }) as Redis & ScriptCommands;
    this.redis.defineCommand('outdialAdmit', { numberOfKeys: 2, lua: admitScript });
    this.redis.defineCommand('outdialActiveSlots', { numberOfKeys: 1, lua: activeSlotsScript });
    this.redis.defineCommand('outdialOutboxUpdate', { numberOfKeys: 1, lua: outboxUpdateScript });
    this.redis.defineCommand('outdialClaimLease', { numberOfKeys: 1, lua: claimLeaseScript });
    this.redis.on('ready', () => {
      const wasDown = this.lastError !== undefined;
      this.connected = true;
      this.lastError = undefined;
      this.answered();
      this.logger.info({ redis: this.where }, wasDown ? 'redis store reconnected' : 'redis store connected');
    });
    this.redis.on('error', (err: Error) => {
      const message = err.message || err.name;
      // ioredis repeats the same error on every reconnect attempt; log only changes.
      if (message !== this.lastError) this.logger.warn({ redis: this.where, err }, 'redis store error');
      this.lastError = message;
    });
    this.redis.on('close', () => {
      if (this.connected && !this.closing) this.logger.warn({ redis: this.where }, 'redis store connection lost');
      this.connected = false;
      this.lastError ??= 'connection closed';
    });
  }

  health(): StoreHealth {
    if (this.connected && this.unanswered !== undefined) {
      return { ok: false, kind: 'redis', error: `redis at ${this.where} not answering: ${this.unanswered}` };
    }
    if (this.connected) return { ok: true, kind: 'redis' };
    return { ok: false, kind: 'redis', error: `redis at ${this.where} unavailable: ${this.lastError ?? 'connecting'}` };
  }

  ready(timeoutMs = 2000): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.probe);
    if (this.connected) {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
    this.connected = false;
  }

  async putCall(record: CallRecord): Promise<void> {
    await this.run('putCall', () =>
      this.redis.set(this.key('call', record.conversationId), JSON.stringify(record), 'EX', this.options.recordTtlSeconds),
    );
  }

  async getCall(conversationId: string): Promise<CallRecord | undefined> {
    const json = await this.run('getCall', () => this.redis.get(this.key('call', conversationId)));
    return json === null ? undefined : (JSON.parse(json) as CallRecord);
  }

  async admit(bot: string, conversationId: string, limits: AdmissionLimits, nowMs?: number): Promise<Admission> {
    return this.admitIn('bot', bot, conversationId, limits, nowMs);
  }

  async release(bot: string, conversationId: string): Promise<void> {
    await this.run('release', () => this.redis.zrem(limiterKey(this.options.keyPrefix, 'bot', bot, 'slots'), conversationId));
  }

  async activeSlots(bot: string, nowMs?: number): Promise<number> {
    return this.slotsIn('bot', bot, nowMs);
  }

  async admitTrunk(trunk: string, conversationId: string, limits: AdmissionLimits, nowMs?: number): Promise<Admission> {
    return this.admitIn('trunk', trunk, conversationId, limits, nowMs);
  }

  async releaseTrunk(trunk: string, conversationId: string): Promise<void> {
    await this.run('releaseTrunk', () => this.redis.zrem(limiterKey(this.options.keyPrefix, 'trunk', trunk, 'slots'), conversationId));
  }

  async activeTrunkSlots(trunk: string, nowMs?: number): Promise<number> {
    return this.slotsIn('trunk', trunk, nowMs);
  }

  /** One atomic admission (the admit script) against the limiter of a bot or a trunk. */
  private async admitIn(kind: LimiterKind, name: string, conversationId: string, limits: AdmissionLimits, nowMs?: number): Promise<Admission> {
    checkLimits(limits);
    const [admitted, reason] = await this.run(kind === 'bot' ? 'admit' : 'admitTrunk', () =>
      this.redis.outdialAdmit(
        limiterKey(this.options.keyPrefix, kind, name, 'rate'),
        limiterKey(this.options.keyPrefix, kind, name, 'slots'),
        nowMs === undefined ? '' : String(nowMs),
        conversationId,
        String(limits.limitPerSecond),
        String(limits.maxConcurrentCalls),
        String(limits.expirationSeconds),
      ),
    );
    if (admitted === 1) return { admitted: true };
    return { admitted: false, reason: reason === 'rate' ? 'rate' : 'concurrency' };
  }

  private async slotsIn(kind: LimiterKind, name: string, nowMs?: number): Promise<number> {
    return this.run(kind === 'bot' ? 'activeSlots' : 'activeTrunkSlots', () =>
      this.redis.outdialActiveSlots(limiterKey(this.options.keyPrefix, kind, name, 'slots'), nowMs === undefined ? '' : String(nowMs)),
    );
  }

  async outboxAdd(entry: OutboxEntry): Promise<void> {
    await this.run('outboxAdd', () => this.redis.hset(this.key('outbox'), entry.id, JSON.stringify(entry)));
  }

  async outboxUpdate(entry: OutboxEntry): Promise<void> {
    await this.run('outboxUpdate', () =>
      this.redis.outdialOutboxUpdate(this.key('outbox'), entry.id, JSON.stringify(entry)),
    );
  }

  async outboxRemove(id: string): Promise<void> {
    await this.run('outboxRemove', () => this.redis.hdel(this.key('outbox'), id));
  }

  async outboxList(): Promise<OutboxEntry[]> {
    const values = await this.run('outboxList', () => this.redis.hvals(this.key('outbox')));
    return orderOutbox(this.parseEach<OutboxEntry>(values, 'outbox entry'));
  }

  async markActive(call: ActiveCall): Promise<void> {
    await this.run('markActive', () => this.redis.hset(this.key('active'), call.conversationId, JSON.stringify(call)));
  }

  async markEnded(conversationId: string): Promise<void> {
    await this.run('markEnded', () => this.redis.hdel(this.key('active'), conversationId));
  }

  async listActive(): Promise<ActiveCall[]> {
    const values = await this.run('listActive', () => this.redis.hvals(this.key('active')));
    return this.parseEach<ActiveCall>(values, 'active call');
  }

  async activeCall(conversationId: string): Promise<ActiveCall | undefined> {
    const value = await this.run('activeCall', () => this.redis.hget(this.key('active'), conversationId));
    return value === null ? undefined : this.parseEach<ActiveCall>([value], 'active call')[0];
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    await this.run('heartbeat', () => this.redis.set(this.key('owner', owner), String(Date.now()), 'PX', ttlMs));
  }

  async isAlive(owner: string): Promise<boolean> {
    return (await this.run('isAlive', () => this.redis.exists(this.key('owner', owner)))) === 1;
  }

  async claimLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = await this.run('claimLease', () =>
      this.redis.outdialClaimLease(this.key('lease', name), owner, String(Math.max(1, Math.round(ttlMs)))),
    );
    return held === 1;
  }

  private key(...parts: string[]): string {
    return storeKey(this.options.keyPrefix, ...parts);
  }

  /**
   * A command timed out on a live connection: health says so until Redis answers again, probed by PING on
   * the store's backoff schedule.
   */
  private notAnswering(message: string): void {
    if (this.unanswered !== undefined || this.closing) return;
    this.unanswered = message;
    this.logger.warn({ redis: this.where, err: message }, 'redis store not answering');
    let probes = 0;
    const next = () => {
      this.probe = setTimeout(ping, backoffDelay(++probes, STORE_BACKOFF)).unref();
    };
    const ping = () => {
      if (this.unanswered === undefined || this.closing) return;
      this.redis.ping().then(() => this.answered(), next);
    };
    next();
  }

  private answered(): void {
    if (this.unanswered === undefined) return;
    this.unanswered = undefined;
    clearTimeout(this.probe);
    this.logger.info({ redis: this.where }, 'redis store answering again');
  }

  private parseEach<T>(values: string[], what: string): T[] {
    const parsed: T[] = [];
    for (const json of values) {
      try {
        parsed.push(JSON.parse(json) as T);
      } catch {
        // One corrupt entry must not stop recovery of the others.
        this.logger.error({ value: json.slice(0, 200) }, `redis store: skipping unreadable ${what}`);
      }
    }
    return parsed;
  }

  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (!this.connected) {
      throw new StoreUnavailableError(`store ${operation} failed: ${this.health().error}`);
    }
    try {
      const result = await command();
      this.answered();
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/timed out/i.test(message)) this.notAnswering(message);
      if (err instanceof ReplyError) throw new Error(`store ${operation} failed: redis replied ${message}`, { cause: err });
      throw new StoreUnavailableError(`store ${operation} failed: redis at ${this.where} unavailable: ${message}`, {
        cause: err,
      });
    }
  }
}

/** The URL without its password, for logs and health reports. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
