// The bottom layer: the words every component shares. Imports nothing from the rest of src.
export type { Dialect } from './dialect.js';
export type { MachineDetection } from './machine-detection.js';
export { amdDecisionTypes, amdEventTypes, isAmdDecision, type AmdEvent, type AmdEventType } from './amd-event.js';
export { isFinalStatus, type AmdInfo, type CallRecord, type CallStatus, type CalleeMedia, type TrunkAttempt } from './call-record.js';
export { systemClock, type Cancel, type Clock } from './clock.js';
export type { AudioSummary } from './audio-summary.js';
export type { BotEvent } from './bot-event.js';
