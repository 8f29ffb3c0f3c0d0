import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { freePort } from './ports.js';
import { startSipp } from './sipp.js';

// The far ends of every SIP test start here: a SIPp that could not bind its port must not pass for ready,
// or calls go to whatever else holds the port.
describe('startSipp', () => {
  it('fails, naming the cause, when another process holds the port it was given', async () => {
    const port = await freePort();
    const squatter = createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(port, '127.0.0.1', r));
    try {
      await expect(startSipp({ scenario: 'uas-answer.xml', port })).rejects.toThrow(/SIPp exited at start.*bind/);
    } finally {
      squatter.close();
    }
  });

  it('is ready once SIPp itself holds its port', async () => {
    const run = await startSipp({ scenario: 'uas-answer.xml' });
    try {
      const probe = createSocket('udp4');
      const bound = await new Promise<boolean>((r) => {
        probe.once('error', () => r(false));
        probe.bind(run.port, '127.0.0.1', () => r(true));
      });
      probe.close();
      expect(bound).toBe(false);
    } finally {
      await run.stop();
    }
  });
});
