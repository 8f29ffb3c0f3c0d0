import { splitList, tagOf, type SipResponse } from '../message/index.js';

/**
 * What a provisional response to our INVITE is under RFC 3262 (100rel):
 * - `unreliable`: an ordinary provisional (no `Require: 100rel`, no RSeq, or a 100), passed on as it is;
 * - `in-order`: the first reliable provisional of its early dialog, or the one whose RSeq is one higher than the
 *   last: it is passed on and PRACKed;
 * - `retransmission`: an RSeq already seen: not passed on and not PRACKed again (§4: the UAC does not send a
 *   new PRACK for a retransmission; the PRACK's own transaction retransmits until answered);
 * - `out-of-order`: an RSeq more than one ahead: §4 says it MUST NOT be PRACKed nor processed; the far end
 *   sends it again once the missing one is acknowledged.
 */
export type ReliableKind = 'unreliable' | 'in-order' | 'retransmission' | 'out-of-order';

/**
 * The RSeq sequence of each early dialog of one INVITE (RFC 3262 §4: "the most recent in-order reliable
 * provisional response"), by the far end's To tag: forked early dialogs number their responses separately.
 */
export class ReliableProvisionals {
  private readonly lastRseq = new Map<string, number>();

  /** Classifies a response to the INVITE and, when it is in order, records its RSeq. */
  receive(res: SipResponse): ReliableKind {
    if (res.status <= 100 || res.status >= 200) return 'unreliable';
    const rseq = parseRSeq(res.get('rseq'));
    const required = res.getAll('require').flatMap(splitList).some((tag) => tag.toLowerCase() === '100rel');
    const tag = tagOf(res.get('to'));
    // §4: a reliable provisional without RSeq, or outside a dialog (no To tag), cannot be PRACKed.
    if (rseq === undefined || !required || !tag) return 'unreliable';
    const last = this.lastRseq.get(tag);
    if (last !== undefined && rseq <= last) return 'retransmission';
    if (last !== undefined && rseq !== last + 1) return 'out-of-order';
    this.lastRseq.set(tag, rseq);
    return 'in-order';
  }
}

/** RSeq: 1*DIGIT, 1 to 2**31 - 1 (RFC 3262 §7.1). */
function parseRSeq(value: string | undefined): number | undefined {
  const m = /^\s*(\d{1,10})\s*$/.exec(value ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 2 ** 31 - 1 ? n : undefined;
}
