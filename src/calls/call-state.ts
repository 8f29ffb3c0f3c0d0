// The life of one outbound call, in one table. Every change goes through CallLifecycle.to(), which throws
// on a move the table does not list (a bug, never a far end's doing: the call checks `can()` wherever a
// network event may arrive late). The record's status is derived from the state, never kept by hand.
//
//   placing ──▶ ringing ⇄ early-media          (180 / 183, RFC 3261 §13.2.2.1)
//      └──────────┴──────────┴──▶ answered      (2xx)
//   answered ──▶ detecting ──▶ bridging ──▶ bridged
//        └────────────────────────▲              (machineDetection: disabled bridges at once)
//   any state but ended ──▶ ending ──▶ ended     (ending lasts until every leg is torn down)

import type { CallStatus } from '../domain/index.js';

export type CallState =
  /** Accepted; media opened and the INVITE on its way to the trunk, no provisional response yet. */
  | 'placing'
  /** 180 Ringing received. */
  | 'ringing'
  /** 183 Session Progress received: the far end may be playing early media. */
  | 'early-media'
  /** 2xx from the callee. */
  | 'answered'
  /** AMD listens to the callee; nobody is bridged yet. */
  | 'detecting'
  /** INVITE sent to the bot; AMD may still be listening (detect mode, for the beep). */
  | 'bridging'
  /** Callee and bot connected, audio relayed both ways. */
  | 'bridged'
  /** The outcome is fixed; CANCEL, BYEs and the final writes are in flight. */
  | 'ending'
  /** Every leg is torn down and the store has the final record. */
  | 'ended';

const transitions: Readonly<Record<CallState, readonly CallState[]>> = {
  placing: ['ringing', 'early-media', 'answered', 'ending'],
  ringing: ['early-media', 'answered', 'ending'],
  'early-media': ['ringing', 'answered', 'ending'],
  answered: ['detecting', 'bridging', 'ending'],
  detecting: ['bridging', 'ending'],
  bridging: ['bridged', 'ending'],
  bridged: ['ending'],
  ending: ['ended'],
  ended: [],
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: CallState,
    readonly to: CallState,
  ) {
    super(`Invalid call state transition from ${from} to ${to}`);
  }
}

export function canMove(from: CallState, to: CallState): boolean {
  return transitions[from].includes(to);
}

export class CallLifecycle {
  private current: CallState = 'placing';
  /** When each state was first entered (epoch ms). */
  private readonly entered = new Map<CallState, number>();

  constructor(
    now: number,
    private readonly onChange: (state: CallState) => void = () => undefined,
  ) {
    this.entered.set('placing', now);
  }

  get state(): CallState {
    return this.current;
  }

  can(next: CallState): boolean {
    return canMove(this.current, next);
  }

  /** Moves to `next`; throws IllegalTransition when the table does not allow it. */
  to(next: CallState, now: number): void {
    if (!this.can(next)) throw new IllegalTransition(this.current, next);
    this.current = next;
    if (!this.entered.has(next)) this.entered.set(next, now);
    this.onChange(next);
  }

  enteredAt(state: CallState): number | undefined {
    return this.entered.get(state);
  }

  /** First 180 or 183. */
  get ringingAt(): number | undefined {
    const r = this.entered.get('ringing');
    const e = this.entered.get('early-media');
    return r === undefined ? e : e === undefined ? r : Math.min(r, e);
  }

  get answeredAt(): number | undefined {
    return this.entered.get('answered');
  }

  /** From ending on: the outcome is fixed and nothing but teardown happens. */
  get isEnding(): boolean {
    return this.current === 'ending' || this.current === 'ended';
  }

  get isBridging(): boolean {
    return this.current === 'bridging' || this.current === 'bridged';
  }

  /** The call's status as the dialer sees it. */
  get status(): CallStatus {
    return statusOf(this.current, this.answeredAt !== undefined);
  }
}

export function statusOf(state: CallState, answered: boolean): CallStatus {
  switch (state) {
    case 'placing':
      return 'initiated';
    case 'ringing':
    case 'early-media':
      return 'ringing';
    case 'answered':
    case 'detecting':
    case 'bridging':
    case 'bridged':
      return 'answered';
    case 'ending':
    case 'ended':
      return answered ? 'completed' : 'failed';
  }
}
