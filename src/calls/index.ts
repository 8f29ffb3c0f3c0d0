export { Launcher, type LauncherOptions } from './launcher.js';
export { OutboundCall } from './outbound-call.js';
export type { CallServices } from './call-services.js';
export { httpBotEventPoster, type BotEventPoster } from './bot-event-poster.js';
export { callOutcome, reasonPhrase, type CallEnd, type CallOutcome } from './outcome.js';
export { actionFor, type PolicyAction } from './policy.js';
export { CallLifecycle, IllegalTransition, statusOf, type CallState } from './call-state.js';
export { CallJournal, DirectWrites, newCallRecord } from './call-journal.js';
export * from './bot-events.js';
