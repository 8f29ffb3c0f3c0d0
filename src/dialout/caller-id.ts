// The caller id fields of a dialout (caller, callerHost, callerDisplayName) as they land in the From
// header: each checked against its RFC 3261 grammar, so no field can end a header line or open another.

import { DialoutInvalid } from './errors.js';
import { hasControlChar, isSipUser, quotedDisplayName, sipHost } from './sip-grammar.js';

export interface CallerId {
  caller: string;
  callerHost?: string;
  callerDisplayName?: string;
}

/** Checks the caller id fields; throws DialoutInvalid naming the first field that is wrong. */
export function checkCallerId(fields: { caller?: string | undefined; callerHost?: string | undefined; callerDisplayName?: string | undefined }): void {
  const { caller, callerHost, callerDisplayName } = fields;
  if (caller !== undefined) {
    if (hasControlChar(caller)) throw new DialoutInvalid('caller', 'caller must not contain control characters');
    if (!isSipUser(caller)) {
      throw new DialoutInvalid('caller', 'caller must be the user part of a SIP URI (letters, digits, + and -_.!~*\'()&=$,;/ or %XX escapes)');
    }
  }
  if (callerHost !== undefined) {
    if (hasControlChar(callerHost)) throw new DialoutInvalid('callerHost', 'callerHost must not contain control characters');
    if (sipHost(callerHost) === undefined) throw new DialoutInvalid('callerHost', 'callerHost must be a host name, an IPv4 address or an [IPv6] address');
  }
  if (callerDisplayName !== undefined && quotedDisplayName(callerDisplayName) === undefined) {
    throw new DialoutInvalid('callerDisplayName', 'callerDisplayName must not contain control characters');
  }
}
