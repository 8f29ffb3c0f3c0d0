import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every notification outdial sends to the shared notify listener must match /openapi.json's webhooks.
    setupFiles: ['test/support/webhook-conformance.ts'],
    // test/stack needs a real drachtio-server (and FreeSWITCH): `npm run test:stack`, vitest.stack.config.ts.
    exclude: ['test/stack/**', '**/node_modules/**'],
    // SIP, RTP and Redis tests use real sockets and real far ends; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file at a time: the end-to-end tests time real calls (ring durations, RTP timeouts, bridges)
    // with SIPp far ends and daemons beside them, and two files at once on two cores made their timing
    // depend on what the other file happened to run (README, "Tests"). `--maxWorkers 2` halves the run.
    fileParallelism: true,
    maxWorkers: 1,
  },
});
