// The SIPp far ends the demo runs (and the E2E kit shares): the XML files in demo/sipp/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_SCENARIOS = ['carrier-answer-audio', 'carrier-reject', 'bot-answer-bye'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/**
 * The folder holding the scenario files. Looked up from this module's own place, so it is found both from
 * demo/ (tsx) and from dist/demo/ (compiled), where the XML files are not copied.
 */
export function demoScenarioDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'sipp'), join(dir, 'demo', 'sipp')]) {
      if (existsSync(join(candidate, `${DEMO_SCENARIOS[0]}.xml`))) return candidate;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the demo's SIPp scenarios (demo/sipp/) above ${here}`);
  }
}

/** The path of one scenario file. */
export function demoScenario(name: DemoScenario): string {
  return join(demoScenarioDir(), `${name}.xml`);
}
