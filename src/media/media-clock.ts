/** Something the clock advances: a receive stream's watchdog and reorder deadline. */
export interface Clocked {
  tick(now: number): void;
}

/**
 * One timer for every call leg: a 20 ms tick drives each leg's watchdog instead of a timer per leg, so 500
 * calls cost 50 wake-ups a second, not 25 000. The timer runs only while a leg is registered and never
 * keeps the process alive.
 */
export class MediaClock {
  readonly #members = new Set<Clocked>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs = 20) {
    this.#intervalMs = intervalMs;
  }

  /** Monotonic milliseconds, the time base of every receive stream. */
  static now(): number {
    return performance.now();
  }

  get size(): number {
    return this.#members.size;
  }

  add(member: Clocked): void {
    this.#members.add(member);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
      this.#timer.unref();
    }
  }

  delete(member: Clocked): void {
    this.#members.delete(member);
    if (this.#members.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #tick(): void {
    const now = MediaClock.now();
    for (const member of this.#members) member.tick(now);
  }
}

/** The process-wide clock that endpoints use unless given their own. */
export const mediaClock = new MediaClock();
