// The order FreeswitchPath.bridge keeps with FreeSWITCH: uuid_bridge only once both legs' far-end SDP reached
// FreeSWITCH. A uuid_bridge taken before the bot's SDP made FreeSWITCH drop the bot's channel and the call
// ended seconds in (docs/media.md). The stand-in below is the part of drachtio-fsmrf's API the path calls,
// with each leg's re-INVITE (modify) answered when the test says.
import { EventEmitter } from 'node:events';
import type Mrf from 'drachtio-fsmrf';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { FreeswitchPath } from '../../src/media/freeswitch/path.js';
import { FreeswitchServer, type FreeswitchServers } from '../../src/media/freeswitch/servers.js';
import { RtpPortPool, type LegMedia } from '../../src/media/index.js';
import { buildOffer } from '../../src/media/sdp.js';
import { freePortPair } from '../support/ports.js';

const logger = createLogger('silent');
const farEndSdp = buildOffer({ address: '127.0.0.1', port: 40000 });

class StandInEndpoint extends EventEmitter {
  readonly conn = null;
  readonly remote = {};
  readonly local: { sdp: string };
  readonly modifies: { sdp: string; done: () => void }[] = [];
  readonly bridgedTo: StandInEndpoint[] = [];
  constructor(
    readonly uuid: string,
    sdp: string,
  ) {
    super();
    this.local = { sdp };
  }
  modify(sdp: string): Promise<void> {
    return new Promise((resolve) => this.modifies.push({ sdp, done: resolve }));
  }
  bridge(other: StandInEndpoint): Promise<void> {
    this.bridgedTo.push(other);
    return Promise.resolve();
  }
  set(): Promise<void> {
    return Promise.resolve();
  }
  execute(): Promise<void> {
    return Promise.resolve();
  }
  destroy(): Promise<void> {
    return Promise.resolve();
  }
}

const opened: LegMedia[] = [];
afterEach(() => {
  for (const leg of opened.splice(0)) leg.close();
});

async function setUp() {
  const endpoints: StandInEndpoint[] = [];
  const mediaServer = {
    createEndpoint: (opts?: { remoteSdp?: string }) => {
      const ep = new StandInEndpoint(`uuid-${endpoints.length}`, opts?.remoteSdp ? farEndSdp : buildOffer({ address: '127.0.0.1', port: 41000 + endpoints.length * 2 }));
      endpoints.push(ep);
      return Promise.resolve(ep);
    },
    api: () => Promise.resolve(''),
  };
  const server = new FreeswitchServer({ address: '127.0.0.1', port: 8021, secret: 'ClueCon' });
  server.mediaServer = mediaServer as unknown as Mrf.MediaServer;
  const base = await freePortPair();
  const path = new FreeswitchPath({ pick: () => server } as unknown as FreeswitchServers, new RtpPortPool({ host: '127.0.0.1', portMin: base, portMax: base + 7 }), 0);
  const callee = await path.openLeg(logger);
  const bot = await path.openLeg(logger, callee);
  opened.push(callee, bot);
  // openLeg makes the leg's own endpoint, then its listening one.
  const [calleeEp, , botEp] = endpoints as [StandInEndpoint, StandInEndpoint, StandInEndpoint, StandInEndpoint];
  return { path, callee, bot, calleeEp, botEp };
}

const ticks = () => new Promise((r) => setTimeout(r, 20));

describe('FreeswitchPath.bridge', () => {
  it('bridges only after the re-INVITEs carrying both far ends’ SDP were answered', async () => {
    const { path, callee, bot, calleeEp, botEp } = await setUp();
    callee.answer(farEndSdp);
    bot.answer(farEndSdp);
    path.bridge(callee, bot);
    await ticks();
    expect(calleeEp.bridgedTo).toEqual([]);
    calleeEp.modifies[0]!.done();
    await ticks();
    expect(calleeEp.bridgedTo).toEqual([]);
    botEp.modifies[0]!.done();
    await ticks();
    expect(calleeEp.bridgedTo).toEqual([botEp]);
  });

  it('does not bridge a leg that ended, or a bridge stopped, while its SDP was on the way', async () => {
    const first = await setUp();
    first.callee.answer(farEndSdp);
    first.bot.answer(farEndSdp);
    first.path.bridge(first.callee, first.bot);
    first.bot.close();
    first.calleeEp.modifies[0]!.done();
    first.botEp.modifies[0]!.done();
    await ticks();
    expect(first.calleeEp.bridgedTo).toEqual([]);

    const second = await setUp();
    second.callee.answer(farEndSdp);
    second.bot.answer(farEndSdp);
    second.path.bridge(second.callee, second.bot).stop();
    second.calleeEp.modifies[0]!.done();
    second.botEp.modifies[0]!.done();
    await ticks();
    expect(second.calleeEp.bridgedTo).toEqual([]);
  });
});
