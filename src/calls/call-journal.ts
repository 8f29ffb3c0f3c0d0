// What a call leaves behind: its record in the store and its notifications, written in order, each
// checked against ownership (a daemon that lost its call to another must write nothing more for it). Used
// by a live call and by the daemon that finishes a call whose own daemon was lost.

import { randomUUID } from 'node:crypto';
import type { CallRecord } from '../domain/index.js';
import type { DialoutRequest } from '../dialout/index.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import { amdInfoOf, notificationFor, type NotificationEvent, type Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import { callOutcome, type CallEnd, type CallOutcome } from './outcome.js';

/** Writes run one after another; `settled` resolves once all queued so far are done. */
export interface JournalWrites {
  /** `abandoned` runs when the write is given up (the daemon stopping with the store unreachable). */
  enqueue(what: string, write: () => Promise<void>, giveUp?: () => boolean, abandoned?: () => Promise<void>): void;
  settled(): Promise<void>;
}

/** Writes awaited in order; the first failure rejects `settled` and skips the rest (the caller retries). */
export class DirectWrites implements JournalWrites {
  private tail: Promise<void> = Promise.resolve();

  enqueue(_what: string, write: () => Promise<void>): void {
    this.tail = this.tail.then(write);
  }

  settled(): Promise<void> {
    return this.tail;
  }
}

export interface JournalServices {
  store: Store;
  notifier: Notifier;
  metrics: Metrics;
  logger: Logger;
  /** This daemon's id: writes stop once the store says another daemon took the call. Undefined: no check. */
  owner: string | undefined;
  writes: JournalWrites;
}

/** Where the call's notifications go. */
export interface NotifyTarget {
  url: string | undefined;
  headers: Record<string, string>;
}

/** The record of a call just accepted. */
export function newCallRecord(req: DialoutRequest, now: number): CallRecord {
  return {
    conversationId: req.conversationId,
    dialect: req.dialect,
    ...(req.sid !== undefined && { sid: req.sid }),
    ...(req.callId !== undefined && { callId: req.callId }),
    clientId: req.clientId,
    bot: req.bot.name,
    account: req.account.name,
    ...(req.trunk && { trunk: req.trunk.name }),
    target: req.target,
    requestUri: req.requestUri,
    ...(req.caller !== undefined && { caller: req.caller }),
    status: 'initiated',
    createdAt: new Date(now).toISOString(),
    machineDetection: req.machineDetection,
    amdEvents: [],
    ...(req.amdEventsSubscription !== undefined && { amdEventsSubscription: req.amdEventsSubscription }),
    ...(req.notifyUrl !== undefined && { notifyUrl: req.notifyUrl }),
    notificationsQueued: 0,
  };
}

export class CallJournal {
  private ownershipLost = false;

  constructor(
    readonly record: CallRecord,
    private readonly services: JournalServices,
    private readonly target: NotifyTarget,
  ) {}

  /** Writes a snapshot of the record as it is now. */
  save(checkOwner = false): void {
    const snapshot = structuredClone(this.record);
    this.services.writes.enqueue('call record', async () => {
      if (checkOwner ? await this.stillOwned() : !this.ownershipLost) await this.services.store.putCall(snapshot);
    });
  }

  /** Saves the record and queues the notification for `event`, if the dialect sends one. */
  notify(event: NotificationEvent): void {
    this.save(event.kind === 'final');
    const { url, headers } = this.target;
    if (!url) return;
    const body = notificationFor(this.record, event);
    if (!body) return;
    this.record.notificationsQueued++;
    const entryKey = randomUUID();
    const { conversationId } = this.record;
    // A final notification the store cannot take before the daemon stops is sent directly or logged whole.
    const unwritten = event.kind === 'final' ? () => this.services.notifier.deliverUnwritten({ conversationId, url, body, headers }) : undefined;
    this.services.writes.enqueue(
      `notification ${event.kind}`,
      async () => {
        if (await this.stillOwned()) await this.services.notifier.notify(conversationId, url, body, headers, entryKey);
      },
      undefined,
      unwritten,
    );
  }

  /**
   * Fixes the call's outcome in the record, queues the final notification, then frees the bot's slot and
   * the active-call entry. `at` is when the call ended (epoch ms).
   */
  end(end: CallEnd, at: number): CallOutcome {
    const { record } = this;
    const outcome = callOutcome(record.dialect, end);
    Object.assign(record, {
      status: outcome.status,
      reasonCode: outcome.reasonCode,
      reason: outcome.reason,
      endedAt: new Date(at).toISOString(),
      ...(outcome.sipStatus !== undefined && { sipStatus: outcome.sipStatus }),
    });
    if (record.answeredAt !== undefined) {
      record.callDurationSec = Math.round((at - Date.parse(record.answeredAt)) / 1000);
      if (record.machineDetection !== 'disabled') record.amdInfo = amdInfoOf(record);
    }
    this.services.metrics.callsEnded.inc({ status: outcome.status, reasonCode: outcome.reasonCode });
    this.services.logger.info({ status: outcome.status, reasonCode: outcome.reasonCode, reason: outcome.reason }, 'call ended');
    this.notify({ kind: 'final' });
    this.release(record.bot);
    return outcome;
  }

  /** Frees the call's slot with its bot and its active-call entry. */
  release(bot: string): void {
    const { store } = this.services;
    const { conversationId } = this.record;
    this.services.writes.enqueue('slot release', () => store.release(bot, conversationId));
    this.services.writes.enqueue('active call end', () => store.markEnded(conversationId));
  }

  /** Queues one more store write after those queued so far (a trunk slot's release). */
  write(what: string, op: () => Promise<void>): void {
    this.services.writes.enqueue(what, op);
  }

  settled(): Promise<void> {
    return this.services.writes.settled();
  }

  /**
   * Whether this daemon still owns the call in a shared store. A daemon cut off from Redis longer than its
   * heartbeat lasts is taken for dead and its calls are finished by another; its own late writes would
   * then send a second final notification.
   */
  private async stillOwned(): Promise<boolean> {
    const { store, owner } = this.services;
    if (owner === undefined) return true;
    if (this.ownershipLost) return false;
    const { conversationId } = this.record;
    const active = await store.activeCall(conversationId);
    if (active?.owner === owner) return true;
    // No entry at all is also what a Redis restarted without persistence looks like: only a record marked
    // by the daemon that took the call over means it is someone else's now.
    const takenBy = active?.owner ?? (await store.getCall(conversationId))?.takenOverBy;
    if (takenBy === undefined || takenBy === owner) return true;
    this.ownershipLost = true;
    this.services.logger.warn({ takenBy }, 'another daemon finished this call while this one was cut off from the store; no more writes for it');
    return false;
  }
}
