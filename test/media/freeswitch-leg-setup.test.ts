// Setting a leg up on a FreeSWITCH (src/media/freeswitch/leg-setup.ts) against a stand-in for the part of
// drachtio-fsmrf's MediaServer it calls: at most LEG_SETUPS_PER_SERVER legs ask for endpoints at once, and an
// endpoint whose connect-back timed out is asked for once more, not twice.
import { EventEmitter } from 'node:events';
import type Mrf from 'drachtio-fsmrf';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { setUpLeg } from '../../src/media/freeswitch/leg-setup.js';
import { FreeswitchServer } from '../../src/media/freeswitch/servers.js';
import { LEG_SETUPS_PER_SERVER } from '../../src/media/freeswitch/setup-queue.js';
import { RtpPortPool, type LegMedia } from '../../src/media/index.js';
import { buildOffer } from '../../src/media/sdp.js';
import { freePortPair } from '../support/ports.js';

const logger = createLogger('silent');

class StandInEndpoint extends EventEmitter {
  readonly conn = null;
  readonly remote = {};
  readonly local = { sdp: buildOffer({ address: '127.0.0.1', port: 40000 }) };
  destroyed = false;
  constructor(readonly uuid: string) {
    super();
  }
  set(): Promise<void> {
    return Promise.resolve();
  }
  execute(): Promise<void> {
    return Promise.resolve();
  }
  destroy(): Promise<void> {
    this.destroyed = true;
    return Promise.resolve();
  }
}

/** A media server whose endpoint requests the test answers one by one. */
function standInServer() {
  const requests: { resolve: (ep: StandInEndpoint) => void; reject: (err: Error) => void }[] = [];
  let made = 0;
  const server = new FreeswitchServer({ address: '127.0.0.1', port: 8021, secret: 'ClueCon' });
  server.mediaServer = {
    createEndpoint: () => new Promise<StandInEndpoint>((resolve, reject) => requests.push({ resolve, reject })),
    api: () => Promise.resolve(''),
  } as unknown as Mrf.MediaServer;
  /** Answers the oldest request still open with an endpoint, or fails it. */
  const answer = (err?: Error) => {
    const request = requests.shift();
    if (!request) throw new Error('no endpoint request open');
    if (err) request.reject(err);
    else request.resolve(new StandInEndpoint(`uuid-${made++}`));
  };
  return { server, requests, answer };
}

const opened: LegMedia[] = [];
afterEach(() => {
  for (const leg of opened.splice(0)) leg.close();
});

const ticks = () => new Promise((r) => setTimeout(r, 20));

async function pool(size: number): Promise<RtpPortPool> {
  const base = await freePortPair();
  return new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 2 * size - 1 });
}

describe('setUpLeg', () => {
  it(`lets ${LEG_SETUPS_PER_SERVER} legs ask for endpoints at once; the others wait and go in turn`, async () => {
    const { server, requests, answer } = standInServer();
    const ports = await pool(LEG_SETUPS_PER_SERVER + 3);
    const legs = Array.from({ length: LEG_SETUPS_PER_SERVER + 2 }, () => setUpLeg(server, ports, 0, logger, false));
    await ticks();
    expect(requests).toHaveLength(LEG_SETUPS_PER_SERVER);
    expect([server.setups.active, server.setups.waiting]).toEqual([LEG_SETUPS_PER_SERVER, 2]);
    // Answered one by one, oldest first: however the legs interleave, never more than the bound is open.
    let most = 0;
    while (requests.length > 0) {
      most = Math.max(most, requests.length);
      answer();
      await ticks();
    }
    expect(most).toBe(LEG_SETUPS_PER_SERVER);
    opened.push(...(await Promise.all(legs)));
    expect([server.setups.active, server.setups.waiting]).toEqual([0, 0]);
    expect(server.calls).toBe(LEG_SETUPS_PER_SERVER + 2);
  });

  it('asks once more for an endpoint whose connect-back timed out; a second time out fails the leg', async () => {
    const { server, requests, answer } = standInServer();
    const ports = await pool(2);
    const leg = setUpLeg(server, ports, 0, logger, false);
    await ticks();
    answer(new Error('Connection timeout'));
    await ticks();
    expect(requests).toHaveLength(1);
    answer();
    await ticks();
    answer();
    opened.push(await leg);

    const failing = setUpLeg(server, ports, 0, logger, false);
    const failed = expect(failing).rejects.toThrow(/^FreeSWITCH 127\.0\.0\.1:8021: Connection timeout$/);
    await ticks();
    answer(new Error('Connection timeout'));
    await ticks();
    answer(new Error('Connection timeout'));
    await failed;
    expect(requests).toHaveLength(0);
    expect(server.setups.active).toBe(0);
    expect(server.calls).toBe(1);
  });
});
