// What a receive stream is told (its options) and what it counts: the stream's contract, which the
// endpoint's options and stats (endpoint-types.ts) extend, kept apart from its packet logic.

export interface ReceiveStreamOptions {
  /**
   * Silence of the socket longer than this makes the watchdog declare gaps in real time. It must be far
   * longer than any event-loop stall: a stalled loop reads packets late, and a watchdog that fired meanwhile
   * would declare silence the sender never sent and then play the late audio after it (default 800 ms;
   * silent sockets at 1000 calls on two cores measured up to ~460 ms).
   */
  watchdogMs?: number;
  /** Packets held while waiting for a missing one before it is declared lost. */
  reorderWindow?: number;
  /** Longest wait for a missing packet. */
  reorderWaitMs?: number;
  /** A forward timestamp jump longer than this is a discontinuity, not silence. */
  maxJumpMs?: number;
  /**
   * Place audio by sequence number alone, ignoring RTP timestamps; a lost packet is a gap as long as the
   * audio packet before it. For a sender whose timestamps follow its own clock rather than the audio it
   * relays: FreeSWITCH's eavesdrop stamps by its timer, so a packet it sends a tick late looks like a gap
   * the audio never had, and AMD's decisions would drift late (docs/media.md).
   */
  sequenceTimeline?: boolean;
}

export interface ReceiveCounters {
  packetsPlayed: number;
  packetsLost: number;
  packetsLate: number;
  packetsDuplicate: number;
  packetsUnsupported: number;
  ssrcChanges: number;
  resyncs: number;
  framesEmitted: number;
  gapMs: number;
  dtmfEvents: number;
}
