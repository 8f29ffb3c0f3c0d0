// Media anchored at FreeSWITCH (media.mode: freeswitch, docs/media.md). Each leg is a FreeSWITCH endpoint
// made through drachtio-fsmrf: FreeSWITCH offers the SDP the leg's INVITE carries (3PCC) and takes the far
// end's answer in a re-INVITE. The far end's audio reaches AMD through a second endpoint per leg whose remote
// SDP is outdial's own RTP socket and which eavesdrops on the leg's channel, hearing only what the far end
// sends (eavesdrop_bridge_aleg). That is plain RTP, so it works with FreeSWITCH on another host, and it keeps
// flowing while the leg is bridged to the bot (AMD keeps listening for a beep after a detect-mode bridge).
// The bridge itself is FreeSWITCH's (uuid_bridge).

import type { Logger } from '../../log/index.js';
import type { LegMedia, MediaBridge, MediaPath } from '../media-path.js';
import type { RtpPortPool } from '../port-pool.js';
import { FreeswitchLeg } from './leg.js';
import { setUpLeg } from './leg-setup.js';
import type { FreeswitchServers } from './servers.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class FreeswitchPath implements MediaPath {
  constructor(
    private readonly servers: FreeswitchServers,
    private readonly pool: RtpPortPool,
    /** calls.rtpTimeoutSec (0: off). */
    private readonly rtpTimeoutSec: number,
  ) {}

  /**
   * The leg on the up server carrying the fewest calls, or a bot leg on its callee's server (FreeSWITCH
   * bridges only channels it holds itself); leg-setup.ts sets it up.
   */
  async openLeg(logger: Logger, bridgeTo?: LegMedia): Promise<LegMedia> {
    const near = bridgeTo instanceof FreeswitchLeg ? bridgeTo.server : undefined;
    const server = near?.up ? near : this.servers.pick();
    return setUpLeg(server, this.pool, this.rtpTimeoutSec, logger, near !== undefined);
  }

  /**
   * uuid_bridge once both legs' far-end SDP reached FreeSWITCH, not before. The bot's SDP goes to its channel
   * in a re-INVITE sent as the bot answers; a uuid_bridge that FreeSWITCH takes before that re-INVITE, on a
   * 3PCC channel still without the far end's SDP, makes FreeSWITCH send an INVITE of its own on that channel
   * and lose it (seen: the channel hung up NORMAL_TEMPORARY_FAILURE, or run through the dialplan again and
   * refused by drachtio-fsmrf), and the bridged call ended seconds after it started, "FreeSWITCH … ended the
   * call's leg channel" (docs/media.md).
   */
  bridge(callee: LegMedia, bot: LegMedia): MediaBridge {
    if (!(callee instanceof FreeswitchLeg) || !(bot instanceof FreeswitchLeg)) throw new Error('FreeSWITCH bridges only its own legs');
    if (callee.server !== bot.server) throw new Error('the callee and bot legs are on different FreeSWITCH servers');
    let stopped = false;
    Promise.all([callee.sdpDelivered, bot.sdpDelivered])
      .then(async () => {
        if (stopped || callee.ended || bot.ended) return;
        await callee.endpoint.bridge(bot.endpoint);
      })
      .catch((err: unknown) => {
        // The legs end the call when their media stops; log why the audio never joined.
        callee.logger.error({ err: message(err) }, 'FreeSWITCH bridge failed');
      });
    // Closing either leg hangs its channel up, which ends the bridge.
    return {
      stop: () => {
        stopped = true;
      },
    };
  }
}
