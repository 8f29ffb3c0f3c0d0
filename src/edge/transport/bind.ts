import type { EventEmitter } from 'node:events';

/** Runs `start` (a listen or bind call given a ready callback); resolves when ready, rejects on the bind error. */
export function bound(target: EventEmitter, start: (ready: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    target.once('error', reject);
    start(() => {
      target.off('error', reject);
      resolve();
    });
  });
}
