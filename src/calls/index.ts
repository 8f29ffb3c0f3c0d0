export { Launcher, type LauncherOptions } from './launcher.js';
export { OutboundCall, type CallServices } from './outbound-call.js';
export { httpBotEventPoster, type BotEventPoster } from './bot-event-poster.js';
export { callOutcome, reasonPhrase, type CallEnd, type CallOutcome } from './outcome.js';
export { actionFor, type PolicyAction } from './policy.js';
export { nextState, isFinal, type CallState } from './state.js';
export * from './bot-events.js';
