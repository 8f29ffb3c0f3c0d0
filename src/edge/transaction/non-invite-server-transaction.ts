import type { SipRequest, SipResponse } from '../message/index.js';
import { ServerTransaction } from './server-transaction.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.2.2 non-INVITE server transaction; Timer J only matters over an unreliable transport. */
export class NonInviteServerTransaction extends ServerTransaction<NonInviteServerState> {
  state: NonInviteServerState = 'trying';

  respond(response: SipResponse): string {
    if (this.finalResponseSent) throw new Error(`${this.request.method} transaction is ${this.state}; cannot send ${response.status}`);
    const raw = this.sendResponse(response);
    if (response.status < 200) {
      this.state = 'proceeding';
    } else {
      this.state = 'completed';
      // Timer J keeps the final response around to answer retransmitted requests.
      this.schedule('J', this.reliable ? 0 : this.timeout, () => this.terminate());
    }
    return raw;
  }

  receiveRequest(_request: SipRequest): void {
    if (this.state === 'proceeding' || this.state === 'completed') this.repeatLastResponse();
  }

  get finalResponseSent(): boolean {
    return this.state === 'completed' || this.state === 'terminated';
  }
}
