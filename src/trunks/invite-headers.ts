// The headers a trunk puts on a call's INVITE (docs/trunks.md): its configured `headers` with the call's
// values filled in, `Privacy: id` when asked, and the dialout's own `sipHeaders` over them.

import type { TrunkConfig } from '../config/index.js';
import { fillTemplate, headerValueProblem, type TemplateValues } from './header-rules.js';

/** What a call tells its trunk about itself. */
export interface CallIdentity {
  /** User part of the caller id (From). */
  caller?: string;
  /** The target as the dialer gave it (tel: or sip: URI). */
  target: string;
  conversationId: string;
  /** The dialout's own headers for the callee INVITE, already validated. */
  sipHeaders?: Record<string, string>;
}

/** `{target}`: the dialled number of a tel: target, the user part of a sip: target (else the whole URI). */
export function targetUser(target: string): string {
  const tel = /^tel:([^;]+)/.exec(target);
  if (tel) return tel[1]!;
  const sip = /^sips?:([^@;]+)@/.exec(target);
  return sip ? sip[1]! : target;
}

/** The values the placeholders of a trunk header take for this call. */
export function templateValues(call: CallIdentity): TemplateValues {
  return { caller: call.caller ?? '', target: targetUser(call.target), conversationId: call.conversationId };
}

/**
 * The extra INVITE headers for `call` through `trunk` (no trunk: the dialout's own only). Throws a RangeError
 * naming the header when a filled-in value is not a valid header value (a caller with a line break in it).
 */
export function inviteHeadersFor(trunk: Pick<TrunkConfig, 'headers' | 'privacy'> | undefined, call: CallIdentity): Record<string, string> {
  const out: Record<string, string> = {};
  const values = templateValues(call);
  for (const [name, template] of Object.entries(trunk?.headers ?? {})) {
    const value = fillTemplate(template, values);
    const problem = headerValueProblem(value);
    if (problem) throw new RangeError(`header ${name} of the trunk, filled in for this call, ${problem}`);
    out[name] = value;
  }
  if (trunk?.privacy === 'id') out.Privacy = 'id';
  for (const [name, value] of Object.entries(call.sipHeaders ?? {})) {
    // The dialout's own header replaces the trunk's of the same name, whatever its case.
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === name.toLowerCase()) delete out[existing];
    out[name] = value;
  }
  return out;
}

/** The host part of the From URI: the dialout's callerHost, else the trunk's fromHost, else `fallback`. */
export function fromHostFor(trunk: Pick<TrunkConfig, 'fromHost'> | undefined, callerHost: string | undefined, fallback: string): string {
  return callerHost ?? trunk?.fromHost ?? fallback;
}
