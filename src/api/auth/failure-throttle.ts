// Failed credential attempts per client id, in a sliding minute: past the limit the id is refused (429)
// until its oldest failure leaves the window, so a secret cannot be guessed at line rate.

/** Client ids tracked at most; the ids are whatever a stranger sends, so the map is bounded. */
const MAX_TRACKED = 10000;
const WINDOW_MS = 60_000;

export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `id` may try again, or undefined when it may try now. */
  retryAfter(id: string): number | undefined {
    const times = this.#recent(id);
    if (times.length < this.limitPerMinute) return undefined;
    return Math.max(1, Math.ceil((times[0]! + WINDOW_MS - this.now()) / 1000));
  }

  failed(id: string): void {
    const times = this.#recent(id);
    times.push(this.now());
    if (times.length > this.limitPerMinute) times.shift();
    this.#failures.delete(id);
    this.#failures.set(id, times);
    // Oldest-touched first: a flood of invented ids pushes out only ids nobody is using.
    if (this.#failures.size > MAX_TRACKED) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(id: string): number[] {
    const times = this.#failures.get(id) ?? [];
    const cutoff = this.now() - WINDOW_MS;
    while (times.length > 0 && times[0]! <= cutoff) times.shift();
    return times;
  }
}
