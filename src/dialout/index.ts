export type { DialoutRequest, CallLauncher, AmdSettings } from './request.js';
export type { AudiocodesDialoutBody, KoreDialoutBody, KoreTimers } from './bodies.js';
export { DialoutRejected, DialoutInvalid } from './errors.js';
export { normalizeAudiocodes, normalizeKore, findBot, type DialoutContext, type KoreIds } from './normalize.js';
export { parseTarget, routeTarget, targetPattern, targetRule, type Target } from './target.js';
export { resolveCaller } from './caller.js';
export { amdDefaults, answerTimeoutSec, voicemailEndTimeoutSec } from './defaults.js';
