// What outdial_build_info reports: the package version (read from the package.json this module ships
// with, found upward from here, whether run from src/ or dist/src/) and the Node.js version.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { version: string; node: string } | undefined;

export function buildInfo(): { version: string; node: string } {
  cached ??= { version: packageVersion() ?? 'unknown', node: process.versions.node };
  return cached;
}

function packageVersion(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'outdial') return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
    dir = dirname(dir);
  }
  return undefined;
}
