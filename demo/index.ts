// What `outdial demo` needs besides the daemon: the far ends' audio and SIPp scenarios. The E2E test kit
// uses the same ones.
export { AUDIO_NAMES, renderFarEndAudio, type AudioFiles, type AudioLabels, type AudioName, type RenderedAudio } from './audio.js';
export { PACKET_SAMPLES, SAMPLE_RATE, mulawWav, rtpPcap } from './audio-container.js';
export { DEMO_SCENARIOS, demoScenario, demoScenarioDir, type DemoScenario } from './scenarios.js';
