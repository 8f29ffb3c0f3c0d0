// Setting a leg up on a FreeSWITCH (src/media/freeswitch/leg-setup.ts) against a stand-in for the part of
// drachtio-fsmrf's MediaServer it calls: at most LEG_SETUPS_PER_SERVER legs ask for endpoints at once, or the
// server's configured legSetupsAtOnce, a leg waits its turn at most legSetupWaitSec, and an endpoint whose
// connect-back timed out is asked for once more, not twice.
import { EventEmitter } from 'node:events';
import type Mrf from 'drachtio-fsmrf';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/index.js';
import { setUpLeg } from '../../src/media/freeswitch/leg-setup.js';
import { FreeswitchServer, type FreeswitchServerConfig } from '../../src/media/freeswitch/servers.js';
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

/** A media server whose endpoint requests the test answers one by one; `config`: its media.freeswitch[] entry. */
function standInServer(config: FreeswitchServerConfig = { address: '127.0.0.1', port: 8021, secret: 'ClueCon' }) {
  const requests: { resolve: (ep: StandInEndpoint) => void; reject: (err: Error) => void }[] = [];
  let made = 0;
  const server = new FreeswitchServer(config);
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

  it('holds a server configured with legSetupsAtOnce 2 to 2 legs in setup at a time, however the legs end', async () => {
    const config = parseConfig({ media: { freeswitch: [{ address: '127.0.0.1', legSetupsAtOnce: 2 }] } }).media.freeswitch![0]!;
    const { server, requests, answer } = standInServer(config);
    const ports = await pool(8);
    const legs = Array.from({ length: 7 }, () => setUpLeg(server, ports, 0, logger, false));
    const ended = legs.map((leg) => leg.then((l) => (opened.push(l), 'set up'), (err: Error) => err.message));
    await ticks();
    expect([server.setups.active, server.setups.waiting]).toEqual([2, 5]);
    // Answered one by one, every third request failed twice over (a leg that fails frees its turn too).
    let most = 0;
    let mostActive = 0;
    for (let k = 0; requests.length > 0; k++) {
      most = Math.max(most, requests.length);
      mostActive = Math.max(mostActive, server.setups.active);
      answer(k % 3 === 2 ? new Error('no such channel') : undefined);
      await ticks();
    }
    expect(most).toBe(2);
    expect(mostActive).toBe(2);
    const outcomes = await Promise.all(ended);
    expect(outcomes.filter((o) => o === 'set up').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'set up').length).toBeGreaterThan(0);
    expect([server.setups.active, server.setups.waiting]).toEqual([0, 0]);
  });

  it('fails a leg still waiting for its turn after the server\'s legSetupWaitSec, naming the wait', async () => {
    const { server, requests, answer } = standInServer({ address: '127.0.0.1', port: 8021, secret: 'ClueCon', legSetupsAtOnce: 1, legSetupWaitSec: 1 });
    const ports = await pool(3);
    const startedAt = Date.now();
    const first = setUpLeg(server, ports, 0, logger, false);
    const waiting = setUpLeg(server, ports, 0, logger, false);
    const failed = expect(waiting).rejects.toThrow(/^FreeSWITCH 127\.0\.0\.1:8021: no turn to set the leg up within 1 s \(1 legs being set up, 1 waiting\)$/);
    await failed;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(1);
    answer();
    await ticks();
    answer();
    opened.push(await first);
    expect([server.setups.active, server.setups.waiting]).toEqual([0, 0]);
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
