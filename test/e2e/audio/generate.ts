/** Renders the E2E audio into test/e2e/audio/cache/ (instant when cached): `node --import tsx test/e2e/audio/generate.ts`. */
import { e2eAudio } from '../../support/e2e-audio.js';

const audio = await e2eAudio();
for (const [name, label] of Object.entries(audio.labels)) process.stdout.write(`${name.padEnd(10)} ${JSON.stringify(label)}\n`);
process.stdout.write(`in ${audio.dir}\n`);
