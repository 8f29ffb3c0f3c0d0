// Loaded before every test file (vitest setupFiles): a test fails when outdial POSTed, to the shared notify
// listener, a notification or bot event that /openapi.json's `webhooks` section does not describe.
import { afterEach, expect } from 'vitest';
import { takeNonConformingWebhooks } from './notify-listener.js';

afterEach(() => {
  expect(takeNonConformingWebhooks(), 'notifications not described by /openapi.json webhooks').toEqual([]);
});
