import { decodeTableOf, STATIC_DECODE_TABLES, type G711Codec } from './g711.js';
import { AudioTimeline, FRAME_SAMPLES, SAMPLE_RATE, type ReceiveSink } from './audio-timeline.js';
import { SilenceWatchdog } from './silence-watchdog.js';
import { TelephoneEventReceiver } from './telephone-event-receiver.js';
import type { ReceiveCounters, ReceiveStreamOptions } from './receive-stream-types.js';

export { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type GapCause, type ReceiveSink } from './audio-timeline.js';
export type { ReceiveCounters, ReceiveStreamOptions } from './receive-stream-types.js';

interface HeldPacket {
  ext: number;
  pt: number;
  ts: number;
  buf: Uint8Array;
  offset: number;
  length: number;
  at: number;
}

/**
 * Socket silence that makes the watchdog declare gaps (ReceiveStreamOptions.watchdogMs): at 1000 concurrent
 * calls on two cores a sender and the daemon together were measured silent for up to ~460 ms before their
 * packets came in a burst, and 400 ms then invented pauses (docs/amd.md, "Live calls hear what the file has").
 */
const DEFAULT_WATCHDOG_MS = 800;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const PT_COMFORT_NOISE = 13;
const PLAYED_RING = 64;

/**
 * The receive side of one RTP stream turned into an audio timeline: packets are put in sequence order
 * (holding a few while a missing one may still arrive), G.711 is decoded, and the timeline advances by
 * exactly the audio's duration — lost packets, timestamp jumps (silence suppression) and a silent socket
 * (the watchdog) become declared gaps, so the listener's clock never stalls. Pure logic: the caller
 * supplies packets, the time and the ticks.
 */
export class RtpReceiveStream {
  readonly counters: ReceiveCounters = {
    packetsPlayed: 0,
    packetsLost: 0,
    packetsLate: 0,
    packetsDuplicate: 0,
    packetsUnsupported: 0,
    ssrcChanges: 0,
    resyncs: 0,
    framesEmitted: 0,
    gapMs: 0,
    dtmfEvents: 0,
  };

  readonly #watchdog: SilenceWatchdog;
  readonly #telephoneEvents: TelephoneEventReceiver;
  readonly #reorderWindow: number;
  readonly #reorderWaitMs: number;
  readonly #maxJumpSamples: number;
  readonly #sequenceTimeline: boolean;
  /** Packets declared lost since the last audio packet played, and that packet's length in samples. */
  #lostSincePlayed = 0;
  #lastAudioSamples = FRAME_SAMPLES;

  #audioPt = 0;
  #audioTable: Readonly<Int16Array> = decodeTableOf('PCMU');
  #telephoneEventPt = -1;

  #ssrc = -1;
  /** Extended sequence number of the next packet to play. */
  #expected = 0;
  readonly #held: HeldPacket[] = [];
  readonly #played = new Int32Array(PLAYED_RING).fill(-1);
  #lossPending = false;

  readonly #timeline: AudioTimeline;
  /** Timestamp and timeline position of the last audio packet played (the mapping RTP ts → timeline). */
  #anchored = false;
  #anchorTs = 0;
  #anchorPos = 0;

  constructor(sink: ReceiveSink, options: ReceiveStreamOptions = {}) {
    this.#watchdog = new SilenceWatchdog(options.watchdogMs ?? DEFAULT_WATCHDOG_MS);
    this.#telephoneEvents = new TelephoneEventReceiver(sink, this.counters);
    this.#reorderWindow = Math.max(1, options.reorderWindow ?? 4);
    this.#reorderWaitMs = options.reorderWaitMs ?? 40;
    this.#maxJumpSamples = ((options.maxJumpMs ?? 10_000) * SAMPLE_RATE) / 1000;
    this.#sequenceTimeline = options.sequenceTimeline ?? false;
    this.#timeline = new AudioTimeline(sink, this.counters);
  }

  /** The negotiated audio payload type and codec, and telephone-event's payload type if any. */
  configure(codec: G711Codec, payloadType: number, telephoneEventPt?: number): void {
    this.#audioPt = payloadType;
    this.#audioTable = decodeTableOf(codec);
    this.#telephoneEventPt = telephoneEventPt ?? -1;
  }

  /** Milliseconds of audio timeline delivered (frames and gaps). */
  get timelineMs(): number {
    return (this.#timeline.emitted * 1000) / SAMPLE_RATE;
  }

  get ssrc(): number | undefined {
    return this.#ssrc === -1 ? undefined : this.#ssrc;
  }

  /** Start the timeline now even if no packet has arrived (the call was answered). */
  start(now: number): void {
    this.#watchdog.start(now);
  }

  /** The sender changed transport address: whatever it sends next starts a new stream, even under the same SSRC. */
  newSource(): void {
    this.#flushHeld();
    this.#ssrc = -1;
  }

  /** One parsed RTP packet whose payload is buf[offset, offset+length). */
  receive(ssrc: number, seq: number, ts: number, pt: number, buf: Uint8Array, offset: number, length: number, now: number): void {
    // Only audio keeps the watchdog from declaring silence: comfort noise (RFC 3389) and telephone events
    // (RFC 4733) may keep the socket busy through a pause while the far party says nothing, and the listener's
    // clock must go on through it (a person who said "hello?" and waits is heard waiting).
    if (this.#decodeTableFor(pt)) this.#watchdog.arrival(now);

    if (ssrc !== this.#ssrc) {
      if (this.#ssrc !== -1) {
        this.counters.ssrcChanges++;
        this.#flushHeld();
      }
      this.#ssrc = ssrc;
      this.#restartAt(seq);
    }

    const delta = ((seq - (this.#expected & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    if (delta === 0) {
      this.#play(this.#expected, pt, ts, buf, offset, length);
      this.#expected++;
      this.#drain();
      return;
    }
    if (delta > MAX_DROPOUT || delta < -MAX_MISORDER) {
      // The sender restarted its sequence space without a new SSRC: start over from this packet.
      this.counters.resyncs++;
      this.#flushHeld();
      this.#restartAt(seq);
      this.#play(this.#expected, pt, ts, buf, offset, length);
      this.#expected++;
      return;
    }
    const ext = this.#expected + delta;
    if (delta < 0) {
      if (this.#played[ext & (PLAYED_RING - 1)] === ext) this.counters.packetsDuplicate++;
      else this.counters.packetsLate++;
      return;
    }
    for (const h of this.#held) {
      if (h.ext === ext) {
        this.counters.packetsDuplicate++;
        return;
      }
    }
    this.#held.push({ ext, pt, ts, buf, offset, length, at: now });
    if (this.#held.length >= this.#reorderWindow) this.#declareLostUpToHeld();
  }

  /** Advance by wall time: give up on missing packets, and declare gaps while the socket is silent. */
  tick(now: number): void {
    // After an event-loop stall the packets that queued meanwhile are not in yet: judge nothing this tick.
    if (this.#watchdog.stalled(now)) return;
    if (this.#held.length > 0 && now - this.#oldestHeldAt() >= this.#reorderWaitMs) this.#declareLostUpToHeld();
    const frames = this.#watchdog.silentFrames(now);
    if (frames > 0) this.#timeline.silence(frames * FRAME_SAMPLES, 'watchdog');
  }

  /** How a payload type's audio decodes; none for telephone events, comfort noise and unknown payloads. */
  #decodeTableFor(pt: number): Readonly<Int16Array> | undefined {
    if (pt === this.#telephoneEventPt) return undefined;
    return pt === this.#audioPt ? this.#audioTable : STATIC_DECODE_TABLES[pt];
  }

  #restartAt(seq: number): void {
    // Keep extended numbers increasing so the played ring never confuses old and new packets.
    this.#expected = this.#expected - (this.#expected & 0xffff) + 0x10000 + seq;
    this.#anchored = false;
    this.#lossPending = false;
  }

  #oldestHeldAt(): number {
    let at = Infinity;
    for (const h of this.#held) if (h.at < at) at = h.at;
    return at;
  }

  #declareLostUpToHeld(): void {
    let next = Infinity;
    for (const h of this.#held) if (h.ext < next) next = h.ext;
    if (next === Infinity) return;
    this.counters.packetsLost += next - this.#expected;
    this.#lostSincePlayed += next - this.#expected;
    this.#expected = next;
    this.#lossPending = true;
    this.#drain();
  }

  #flushHeld(): void {
    while (this.#held.length > 0) this.#declareLostUpToHeld();
  }

  #drain(): void {
    for (let i = 0; i < this.#held.length; ) {
      const h = this.#held[i] as HeldPacket;
      if (h.ext !== this.#expected) {
        i++;
        continue;
      }
      this.#held.splice(i, 1);
      this.#play(h.ext, h.pt, h.ts, h.buf, h.offset, h.length);
      this.#expected++;
      i = 0;
    }
  }

  #play(ext: number, pt: number, ts: number, buf: Uint8Array, offset: number, length: number): void {
    this.#played[ext & (PLAYED_RING - 1)] = ext;
    this.counters.packetsPlayed++;
    if (pt === this.#telephoneEventPt) {
      this.#telephoneEvents.receive(ts, buf, offset, length);
      return;
    }
    const table = this.#decodeTableFor(pt);
    if (!table) {
      // Comfort noise and unknown payloads carry no samples; the next audio packet's timestamp places it.
      if (pt !== PT_COMFORT_NOISE) this.counters.packetsUnsupported++;
      return;
    }
    if (this.#sequenceTimeline) this.#placeBySequence(length);
    else this.#placeAt(ts);
    this.#lostSincePlayed = 0;
    this.#lossPending = false;
    this.#anchorTs = ts;
    this.#anchorPos = this.#timeline.emitted;
    this.#timeline.samples(table, buf, offset, length);
  }

  /** sequenceTimeline: the packets lost just before this one become a gap; G.711 is one byte a sample. */
  #placeBySequence(samples: number): void {
    if (this.#lostSincePlayed > 0) this.#timeline.silence(this.#lostSincePlayed * this.#lastAudioSamples, 'loss');
    this.#lastAudioSamples = samples;
  }

  /** Put the timeline at this packet's timestamp: a gap before it, or a re-anchor when it lies behind. */
  #placeAt(ts: number): void {
    if (!this.#anchored) {
      this.#anchored = true;
      return;
    }
    const position = this.#anchorPos + ((ts - this.#anchorTs) | 0);
    const ahead = position - this.#timeline.emitted;
    if (ahead <= 0) return; // Already covered (watchdog ran ahead, or the sender stalled): play it now.
    if (ahead > this.#maxJumpSamples) {
      this.counters.resyncs++;
      return;
    }
    this.#timeline.silence(ahead, this.#lossPending ? 'loss' : 'silence');
  }
}
