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
    fileParallelism: true,
    maxWorkers: 2,
  },
});
