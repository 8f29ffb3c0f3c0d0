// The X-AMD-* headers a dialer may put on its INVITE to set this call's AMD timers and threshold over the
// route's (docs/inbound.md). A header outdial does not know, or a value out of range, refuses the INVITE
// with 400 naming the header: a typo must not silently fall back to the route's values.

import type { AmdSettings } from '../dialout/index.js';

type Setting = keyof AmdSettings;

interface HeaderRule {
  setting: Setting;
  min: number;
  max: number;
}

/** Lower-case header name → the setting it sets and its range (the config's own ranges). */
export const amdHeaders: Readonly<Record<string, HeaderRule>> = {
  'x-amd-threshold-word-count': { setting: 'thresholdWordCount', min: 1, max: 100 },
  'x-amd-no-speech-timeout-ms': { setting: 'noSpeechTimeoutMs', min: 500, max: 60000 },
  'x-amd-decision-timeout-ms': { setting: 'decisionTimeoutMs', min: 500, max: 60000 },
  'x-amd-tone-timeout-ms': { setting: 'toneTimeoutMs', min: 500, max: 60000 },
  'x-amd-greeting-completion-timeout-ms': { setting: 'greetingCompletionTimeoutMs', min: 500, max: 60000 },
  'x-amd-speech-end-threshold-ms': { setting: 'speechEndThresholdMs', min: 100, max: 10000 },
};

/** How the header is usually written, for messages. */
function displayName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()).replace(/^X-Amd-/, 'X-AMD-');
}

export type AmdHeaderResult = { ok: true; settings: Partial<AmdSettings> } | { ok: false; error: string };

/** The AMD settings the INVITE's X-AMD-* headers ask for; `headers` as name → value, any case. */
export function amdSettingsFromHeaders(headers: Readonly<Record<string, unknown>>): AmdHeaderResult {
  const settings: Partial<AmdSettings> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-amd-')) continue;
    const rule = amdHeaders[lower];
    if (!rule) return { ok: false, error: `unknown header ${name}; outdial reads ${Object.keys(amdHeaders).map(displayName).join(', ')}` };
    const value = String(raw).trim();
    const n = Number(value);
    if (!/^\d{1,6}$/.test(value) || n < rule.min || n > rule.max) {
      return { ok: false, error: `${displayName(lower)} must be an integer ${rule.min}–${rule.max}, got "${value.slice(0, 40)}"` };
    }
    settings[rule.setting] = n;
  }
  return { ok: true, settings };
}
