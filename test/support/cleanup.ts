import { afterEach } from 'vitest';
import type { SpawnedDaemon } from './daemon.js';
import { forgetExplanations, takeExplanations } from './diagnostics.js';
import { stopAllSipp } from './sipp.js';

// What an E2E test file starts (daemons, SIPp, listeners, Redis) is undone after each test, last first,
// even when the test failed.
const cleanups: (() => Promise<unknown>)[] = [];
let registered = false;

/** Registers the after-each cleanup; call once at the top of a test file. */
export function useCleanup(): void {
  if (registered) return;
  registered = true;
  afterEach(async (context) => {
    // A failed test's far ends and daemons are described before they are torn down (diagnostics.ts).
    const result = context.task.result;
    if (result?.state === 'fail') {
      const explained = takeExplanations();
      const first = result.errors?.[0];
      if (explained && first) first.message = `${first.message}\n\nWhat the test's parts saw:\n${explained}`;
      else if (explained) console.error(`What the test's parts saw:\n${explained}`);
    } else {
      forgetExplanations();
    }
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    await stopAllSipp();
  });
}

export function onCleanup(...fns: (() => Promise<unknown>)[]): void {
  cleanups.push(...fns);
}

/** A spawned daemon still running after the test is killed, and its exit awaited. */
export function trackDaemon(daemon: SpawnedDaemon): SpawnedDaemon {
  onCleanup(async () => {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    await daemon.exited;
  });
  return daemon;
}
