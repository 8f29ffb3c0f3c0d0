import type { SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { ClientTransaction } from './client-transaction.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.2 non-INVITE client transaction; Timer E and K only matter over an unreliable transport. */
export class NonInviteClientTransaction extends ClientTransaction<NonInviteClientState> {
  state: NonInviteClientState = 'trying';

  receiveResponse(response: SipResponse, from: Peer, raw: string): void {
    if (!this.awaitingFinal) return;
    if (response.status < 200) {
      this.state = 'proceeding';
      this.user.onResponse(response, from, raw);
      return;
    }
    this.state = 'completed';
    this.finalReceived();
    this.user.onResponse(response, from, raw);
    // Timer K absorbs retransmitted final responses for T4.
    this.schedule('K', this.reliable ? 0 : this.timers.T4, () => this.terminate());
  }

  protected get retransmitting(): boolean {
    return this.awaitingFinal;
  }

  protected get awaitingFinal(): boolean {
    return this.state === 'trying' || this.state === 'proceeding';
  }

  /** In Proceeding the interval stays at T2 (§17.1.2.2); in Trying it doubles up to T2. */
  protected nextInterval(interval: number): number {
    return this.state === 'proceeding' ? this.timers.T2 : Math.min(2 * interval, this.timers.T2);
  }
}
