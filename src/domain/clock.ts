// Time as the code that depends on it sees it: the system's in production, a hand-driven one in tests, so
// races between timers and network events can be played out in order, fast.

/** Cancels a scheduled callback; calling it again, or after the callback ran, does nothing. */
export type Cancel = () => void;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): Cancel;
  /** Runs `fn` every `ms` until cancelled; never keeps the process alive on its own. */
  every(ms: number, fn: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
