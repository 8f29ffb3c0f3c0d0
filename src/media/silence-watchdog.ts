import { FRAME_MS } from './audio-timeline.js';

/** Ticks come every 20 ms; one this much later than the last follows an event-loop stall. */
const LATE_TICK_MS = 60;

/**
 * The wall-clock side of a receive stream: how long the socket has been silent, and how much of that
 * silence the timeline already covers, so a far end that stops sending still moves the listener's clock.
 * It stands apart from the packet ordering because it reads only arrival times and ticks, never a packet.
 */
export class SilenceWatchdog {
  readonly #watchdogMs: number;
  #started = false;
  #lastArrival = 0;
  #coveredUntil = 0;
  #lastTickAt: number | undefined;
  #skippedTick = false;

  constructor(watchdogMs: number) {
    this.#watchdogMs = watchdogMs;
  }

  /** The stream starts now even if no packet has arrived (the call was answered). */
  start(now: number): void {
    if (this.#started) return;
    this.#started = true;
    this.#lastArrival = now;
    this.#coveredUntil = now;
  }

  /** A packet arrived: the socket is not silent, and the timeline is covered up to now. */
  arrival(now: number): void {
    this.start(now);
    this.#lastArrival = now;
    this.#coveredUntil = now;
  }

  /**
   * A tick arriving long after the previous one means the event loop stalled: timers run before the
   * socket is read, so the packets that queued meanwhile are not in yet. Judge nothing missing until the
   * next tick has let them in (once: under sustained load every other tick still judges).
   */
  stalled(now: number): boolean {
    const late = this.#lastTickAt !== undefined && now - this.#lastTickAt > LATE_TICK_MS && !this.#skippedTick;
    this.#lastTickAt = now;
    this.#skippedTick = late;
    return late;
  }

  /** Whole frames of silence to declare now, once the socket has been silent longer than watchdogMs. */
  silentFrames(now: number): number {
    if (!this.#started || now - this.#lastArrival <= this.#watchdogMs) return 0;
    const frames = Math.floor((now - this.#coveredUntil) / FRAME_MS);
    if (frames <= 0) return 0;
    this.#coveredUntil += frames * FRAME_MS;
    return frames;
  }
}
