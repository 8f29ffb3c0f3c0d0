export { registerApi } from './plugin.js';
export type { ApiDeps, CallLookup, DialoutAcceptance } from './deps.js';
export { buildOpenApi } from './openapi.js';
export { audiocodesDialoutBody, koreDialoutBody } from './schemas.js';
