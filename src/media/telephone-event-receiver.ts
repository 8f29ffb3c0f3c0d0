import { SAMPLE_RATE, type ReceiveSink } from './audio-timeline.js';
import { digitOf, parseTelephoneEvent } from './telephone-event.js';

/**
 * RFC 4733 telephone-events of one receive stream turned into DTMF digits, each reported once. It stands
 * apart from the audio path because these packets carry no samples and never move the timeline.
 */
export class TelephoneEventReceiver {
  #lastDtmfTs = -1;

  constructor(
    private readonly sink: ReceiveSink,
    private readonly counters: { packetsUnsupported: number; dtmfEvents: number },
  ) {}

  /** One telephone-event payload at buf[offset, offset+length) with its RTP timestamp. */
  receive(ts: number, buf: Uint8Array, offset: number, length: number): void {
    const e = parseTelephoneEvent(buf, offset, length);
    if (!e) {
      this.counters.packetsUnsupported++;
      return;
    }
    // The end packet is sent three times (RFC 4733 §2.5.1.4); report the event once.
    if (!e.end || ts === this.#lastDtmfTs) return;
    const digit = digitOf(e.event);
    if (digit === undefined) return;
    this.#lastDtmfTs = ts;
    this.counters.dtmfEvents++;
    this.sink.dtmf({ digit, event: e.event, durationMs: (e.duration * 1000) / SAMPLE_RATE, volume: e.volume });
  }
}
