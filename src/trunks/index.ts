export { orderTrunks, ranksTrunks, type RankedTrunk, type SelectionOptions } from './selection.js';
export { classifyFailure, failsOver, type AttemptFailure } from './failover.js';
export { trunkKey, trunkLimits, trunkLimitMessage } from './limits.js';
export {
  fillTemplate,
  headerValuePattern,
  headerValueProblem,
  headerValueRule,
  maxHeaderValueLength,
  requestHeaderNamePattern,
  requestHeaderNameRule,
  templateFields,
  templateProblem,
  trunkHeaderNameProblem,
} from './header-rules.js';
export { inviteHeadersFor, fromHostFor, targetUser, templateValues, type CallIdentity } from './invite-headers.js';
export { srfRequester, type SipRequester, type FinalResponse, type OutOfDialogRequest } from './sip-request.js';
export { TrunkKeepalive, answersPing, missesToDown } from './keepalive.js';
export { TrunkRegistration, grantedExpiresSec, refreshAfterSec, type RegistrationState, type RegistrationReport } from './registration.js';
export { TrunkHealth, trunkUri, type TrunkReport } from './trunk-health.js';
export { TrunkRoute, type TrunkInvite, type TrunkAttemptRecord, type RouteRefusal, type RouteServices, type RoutedCall, type AttemptFailureFacts } from './route.js';
export { defaultSipPort, resolvesByDns, trunkHostport, trunkTransportParam } from './trunk-address.js';
