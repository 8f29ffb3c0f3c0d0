// AMD for calls a dialer sends in (docs/inbound.md): inbound routes, their checks, and the inbound call.
export { InboundRouter, requestUser, type InboundOutcome, type InboundRouterOptions } from './inbound-router.js';
export { InboundRoutes, type InboundRoute } from './routes.js';
export { InboundCall, inboundCallRecord, type InboundFacts } from './inbound-call.js';
export { inboundRouteSchema, type InboundRouteConfig } from './route-schema.js';
export { DigestAuthenticator, parseDigestHeader, type DigestCredentials, type DigestVerdict } from './digest.js';
export { SourceAllowList, sourceEntryProblem } from './source-allow-list.js';
export { amdSettingsFromHeaders, amdHeaders, type AmdHeaderResult } from './amd-headers.js';
