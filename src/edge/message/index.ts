export { SipMessage, SipRequest, SipResponse } from './sip-message.js';
export { parseMessage, SipParseError } from './parse-message.js';
export {
  splitList,
  parseNameAddr,
  parseParams,
  parseVia,
  parseCSeq,
  parseSipUri,
  tagOf,
  withoutTag,
  uriOf,
  type NameAddr,
  type Via,
  type CSeq,
  type SipUri,
} from './header-values.js';
export { headerKey } from './header-names.js';
export { appText } from './app-text.js';
