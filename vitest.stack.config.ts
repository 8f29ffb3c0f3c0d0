import { defineConfig } from 'vitest/config';

// `npm run test:stack`: the E2E flows that matter, against a real drachtio-server (DRACHTIO_BIN) instead of
// the embedded edge. The shared fixtures (test/support/daemon.ts) put every daemon behind a drachtio-server
// of its own when OUTDIAL_TEST_EDGE is drachtio; test/stack/ holds what only the real server shows, and the
// both-edges tests run on each kind.
//
// Project `freeswitch` runs the outcome, mode, bridge and inbound files once more with media.mode freeswitch: with
// OUTDIAL_TEST_MEDIA=freeswitch every test daemon anchors its calls at a real FreeSWITCH (FREESWITCH_BIN) of
// its own, configured from docker/freeswitch/ (test/support/freeswitch-server.ts). One project alone:
// `npm run test:stack -- --project freeswitch`.
const freeswitchMode = [
  'test/e2e/dialout-answered.test.ts',
  'test/e2e/dialout-failures.test.ts',
  'test/e2e/modes-disconnect.test.ts',
  'test/e2e/modes-detect.test.ts',
  'test/e2e/modes-disabled.test.ts',
  'test/e2e/bridge-failures.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'drachtio',
          include: [
            'test/stack/drachtio-*.test.ts',
            ...freeswitchMode,
            'test/e2e/dialout-100rel.test.ts',
            'test/e2e/session-timer-422.test.ts',
            'test/e2e/trunk-auth.test.ts',
            'test/e2e/inbound-amd.test.ts',
            'test/e2e/inbound-100rel.test.ts',
            'test/e2e/cluster-limits.test.ts',
            'test/e2e/restart-sigkill.test.ts',
            'test/e2e/sip-edge-*.test.ts',
            'test/e2e/trunks-failover.test.ts',
            'test/e2e/trunks-health.test.ts',
            'test/e2e/trunks-dns.test.ts',
            'test/e2e/dialout-sip-target-dns.test.ts',
            'test/e2e/trunks-tls.test.ts',
          ],
          env: { OUTDIAL_TEST_EDGE: 'drachtio' },
        },
      },
      {
        extends: true,
        test: {
          name: 'freeswitch',
          include: ['test/stack/freeswitch-*.test.ts', ...freeswitchMode, 'test/e2e/inbound-amd.test.ts', 'test/e2e/call-liveness.test.ts'],
          env: { OUTDIAL_TEST_EDGE: 'drachtio', OUTDIAL_TEST_MEDIA: 'freeswitch' },
        },
      },
    ],
  },
});
