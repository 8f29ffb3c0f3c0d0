import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

// No Docker engine runs here: the compose file is checked for shape, and its outdial config for validity.
describe('deploy/', () => {
  it('docker-compose.yml declares drachtio, redis and outdial wired together', () => {
    const compose = parse(readFileSync('deploy/docker-compose.yml', 'utf8')) as {
      services: Record<string, { image?: string; build?: { dockerfile: string }; depends_on?: string[]; command?: unknown }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['drachtio', 'outdial', 'redis']);
    expect(compose.services.drachtio?.image).toMatch(/^drachtio\/drachtio-server/);
    expect(compose.services.outdial?.depends_on).toEqual(['drachtio', 'redis']);
    expect(readFileSync(`deploy/${compose.services.outdial!.build!.dockerfile.replace('deploy/', '')}`, 'utf8')).toMatch(/dist\/src\/cli\/main\.js/);
  });

  it('the production config is valid and uses the drachtio edge and Redis', () => {
    const config = loadConfig('deploy/outdial.yaml');
    expect(config.sip.edge).toBe('drachtio');
    expect(config.store.type).toBe('redis');
  });
});
