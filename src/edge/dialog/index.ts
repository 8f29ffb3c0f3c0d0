export { Dialog, dialogKey, dialogIdFor, type DialogRole, type DialogState } from './dialog.js';
