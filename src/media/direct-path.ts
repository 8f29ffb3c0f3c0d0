// The default media path: each leg's RTP terminates on outdial's own socket, decoded here for AMD, and the
// bridge is an in-process relay between the two sockets.

import type { Logger } from '../log/index.js';
import { RtpEndpoint } from './endpoint.js';
import type { LegMedia, LegMediaEvents, LegMediaStats, MediaBridge, MediaPath } from './media-path.js';
import type { RtpPortPool } from './port-pool.js';
import { RtpRelay } from './relay.js';
import { buildAnswer, buildOffer, parseAnswer } from './sdp.js';

class DirectLeg implements LegMedia {
  readonly offer: string;

  constructor(
    readonly endpoint: RtpEndpoint,
    private readonly host: string,
  ) {
    this.offer = buildOffer({ address: host, port: endpoint.localPort });
  }

  answer(sdp: string): void {
    this.endpoint.setRemote(parseAnswer(sdp));
    this.endpoint.start();
  }

  acceptOffer(sdp: string): string {
    const answer = buildAnswer(sdp, { address: this.host, port: this.endpoint.localPort });
    this.endpoint.setRemote(answer.media);
    this.endpoint.start();
    return answer.sdp;
  }

  on<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): this {
    (this.endpoint.on as (e: E, l: (...args: LegMediaEvents[E]) => void) => unknown)(event, listener);
    return this;
  }

  off<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): this {
    (this.endpoint.off as (e: E, l: (...args: LegMediaEvents[E]) => void) => unknown)(event, listener);
    return this;
  }

  get codec(): string | undefined {
    return this.endpoint.media?.codec;
  }

  get stats(): LegMediaStats {
    const { packetsReceived, packetsLost, lastArrivalAt } = this.endpoint.stats;
    return { packetsReceived, packetsLost, lastArrivalAt };
  }

  close(): void {
    this.endpoint.close();
  }
}

export class DirectRtpPath implements MediaPath {
  constructor(private readonly pool: RtpPortPool) {}

  async openLeg(logger: Logger): Promise<LegMedia> {
    return new DirectLeg(await RtpEndpoint.open(this.pool, { logger }), this.pool.host);
  }

  bridge(callee: LegMedia, bot: LegMedia): MediaBridge {
    if (!(callee instanceof DirectLeg) || !(bot instanceof DirectLeg)) throw new Error('direct RTP bridges only its own legs');
    return new RtpRelay(callee.endpoint, bot.endpoint);
  }
}
