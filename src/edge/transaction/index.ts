export { InviteClientTransaction, type InviteClientState } from './invite-client-transaction.js';
export { NonInviteClientTransaction, type NonInviteClientState } from './non-invite-client-transaction.js';
export { InviteServerTransaction, type InviteServerState } from './invite-server-transaction.js';
export { NonInviteServerTransaction, type NonInviteServerState } from './non-invite-server-transaction.js';
export { defaultTimers, transactionTimeout, type TimerValues } from './timers.js';
export type { ClientTransactionUser, ServerTransactionUser, SendMessage } from './transaction-user.js';
export { clientTransactionKey, serverTransactionKey } from './transaction-keys.js';
