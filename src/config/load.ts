import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/** A config file that cannot be used: the message names the file, the key and what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `bots[0].dialoutMaxConcurrentCalls` from a zod issue path. */
function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const base = keyPath(issue.path);
    return issue.keys.map((k) => `${base === '(top level)' ? k : `${base}.${k}`}: unknown key`).join('; ');
  }
  return `${keyPath(issue.path)}: ${issue.message}`;
}

/** Validates an already-parsed config object and fills in the defaults. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const lines = result.error.issues.map(describeIssue);
    throw new ConfigError(`${source}: ${lines.join('; ')}`);
  }
  return result.data;
}

/** Reads and validates a YAML config file; without a file the embedded defaults apply. */
export function loadConfig(file?: string): Config {
  if (!file) return parseConfig({}, 'defaults');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config file (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${file}: the top level must be a mapping of keys`);
  }
  return parseConfig(raw, file);
}
