// Direct RTP media: ports, G.711, SDP offer/answer, call-leg endpoints and the callee↔bot relay.
export { RtpPortPool, RtpPortsExhaustedError, type RtpPortLease, type RtpPortRange } from './port-pool.js';
export {
  decodePcmu,
  encodePcmu,
  decodePcma,
  encodePcma,
  decodeG711,
  encodeG711,
  PCMU_TO_PCMA,
  PCMA_TO_PCMU,
  type G711Codec,
} from './g711.js';
export {
  buildOffer,
  buildAnswer,
  parseAnswer,
  parseOffer,
  SdpError,
  TELEPHONE_EVENT_PT,
  type NegotiatedMedia,
  type MediaDirection,
  type OfferOptions,
  type AnswerOptions,
} from './sdp.js';
export {
  RtpEndpoint,
  type RtpEndpointEvents,
  type RtpEndpointOptions,
  type RtpEndpointStats,
  type RtpAddress,
  type ReceivedRtp,
  type PacketTap,
} from './endpoint.js';
export { RtpRelay, type RelayDirectionStats } from './relay.js';
export { MediaClock, mediaClock, type Clocked } from './media-clock.js';
export { RtpReceiveStream, FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type GapCause, type ReceiveSink, type ReceiveStreamOptions } from './receive-stream.js';
export type { DtmfEvent } from './telephone-event.js';
export type { LegMedia, LegMediaEvents, LegMediaStats, MediaBridge, MediaPath } from './media-path.js';
export { DirectRtpPath } from './direct-path.js';
