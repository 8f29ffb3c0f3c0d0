export { Dialog } from './dialog.js';
export { dialogIdFor, dialogKey, type DialogState } from './dialog-state.js';
export { dialogFromOurInvite, dialogFromTheirInvite } from './create-dialog.js';
export { expiryDelayMs, parseSessionExpires, refreshDelayMs, sessionExpiredReason, type SessionExpires } from './session-expires.js';
