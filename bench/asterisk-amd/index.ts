export { AsteriskAmd, asteriskAmdDefaults, type AsteriskAmdConfig, type AsteriskAmdResult, type AsteriskAmdStatus } from './asterisk-amd.js';
