export { AmdEngine } from './engine.js';
export { LATE_MACHINE_WINDOW_MS } from './timings.js';
export { detectFile } from './detect-file.js';
export { defaultAmdOptions, type AmdOptions } from './options.js';
export { HumanReason, MachineReason, type AmdEvent, type AmdEventType, type Transcript } from './events.js';
export { defaultVoicemailHints } from './hints.js';
export { parseWav, WavError, type WavAudio } from './wav.js';
