// How many legs one FreeSWITCH sets up at once (docs/media.md, "A burst of calls"). Every endpoint
// drachtio-fsmrf makes is a FreeSWITCH channel whose `socket` application connects back to outdial's event
// socket listener, and drachtio-fsmrf fails the endpoint ("Connection timeout") when that has not happened
// 4 s after FreeSWITCH answered. While a channel waits for outdial's `connect` on that socket, its thread
// wakes every millisecond (mod_event_socket's socket application, switch_cond_next): on a busy host, 80
// endpoints made at once slowed every connect-back to 2-10 per second and a third of a 100-call burst
// failed. Legs past the bound wait their turn here, first come first served. The bound is each server's
// media.freeswitch[].legSetupsAtOnce: what a FreeSWITCH takes at once depends on its host's cores and load.

/**
 * Legs set up at once on one FreeSWITCH unless its config says otherwise: each makes two endpoints, one after
 * the other. Measured on a 2-core host running outdial, drachtio-server and FreeSWITCH together.
 */
export const LEG_SETUPS_PER_SERVER = 8;

/** How long a leg may wait for its turn unless the server's config says otherwise (legSetupWaitSec). */
export const LEG_SETUP_WAIT_SEC = 30;

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class SetupQueue {
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly limit: number = LEG_SETUPS_PER_SERVER) {}

  /** Legs being set up now. */
  get active(): number {
    return this.#active;
  }

  /** Legs waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with the turn's release (call it exactly once, when the leg's setup is over, however it ended)
   * once fewer than `limit` legs are being set up; rejects with the signal's reason when it aborts first.
   * `first`: ahead of the others waiting (a bot leg: its callee answered and waits for it).
   */
  acquire(signal: AbortSignal, first = false): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#active < this.limit && this.#waiting.length === 0) return Promise.resolve(this.#grant());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.#waiting.indexOf(waiter);
          if (at >= 0) this.#waiting.splice(at, 1);
          reject(signal.reason as Error);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      if (first) this.#waiting.unshift(waiter);
      else this.#waiting.push(waiter);
    });
  }

  /** Fails every leg still waiting (the server froze or went away: their turn would come to nothing). */
  failWaiting(err: Error): void {
    for (const waiter of this.#waiting.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(err);
    }
  }

  #grant(): () => void {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#next();
    };
  }

  #next(): void {
    while (this.#active < this.limit) {
      const waiter = this.#waiting.shift();
      if (!waiter) return;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.#grant());
    }
  }
}
