import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

// No Docker engine runs here: the compose file is checked for shape, every file it mounts for existence,
// and its outdial config for validity.
type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  depends_on?: string[];
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  network_mode?: string;
  container_name?: string;
  healthcheck?: { test: string[] };
};
const text = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs drachtio-server, Redis and outdial built from docker/Dockerfile; Prometheus and Grafana only in the monitoring profile', () => {
    expect(Object.keys(services).sort()).toEqual(['drachtio', 'freeswitch', 'grafana', 'outdial', 'prometheus', 'redis']);
    expect(services.drachtio?.image).toMatch(/^drachtio\/drachtio-server:/);
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.outdial?.build).toEqual({ context: '.', dockerfile: 'docker/Dockerfile' });
    expect(services.outdial?.depends_on).toEqual(['drachtio', 'redis']);
    for (const name of ['prometheus', 'grafana']) expect(services[name]?.profiles).toEqual(['monitoring']);
    for (const name of ['drachtio', 'redis', 'outdial']) expect(services[name]?.profiles).toBeUndefined();
    // Published images only: outdial alone is built, and from this repository's Dockerfile.
    for (const [name, s] of Object.entries(services)) {
      if (name === 'outdial') continue;
      expect(s.build, name).toBeUndefined();
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
    }
    const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/dist\/src\/cli\/main\.js|entrypoint/);
    expect(readFileSync('docker/entrypoint.sh', 'utf8')).toContain('dist/src/cli/main.js start --config');
    expect(statSync('docker/entrypoint.sh').mode & 0o111).not.toBe(0);
  });

  it('--scale outdial=3 does not collide: no host network, no fixed name, no single fixed host port', () => {
    const outdial = services.outdial!;
    expect(outdial.network_mode).toBeUndefined();
    expect(outdial.container_name).toBeUndefined();
    for (const p of outdial.ports ?? []) {
      const [host] = p.split(':');
      // Either no host port (docker picks one) or a range wide enough for three replicas.
      if (p.includes(':')) {
        const [from, to] = host!.split('-').map(Number);
        expect(to, `outdial port ${p}`).toBeDefined();
        expect(to! - from! + 1).toBeGreaterThanOrEqual(3);
      }
    }
    expect(outdial.healthcheck?.test.join(' ')).toContain('/livez');
  });

  it('every file a service mounts exists, and the Dockerfile the build names', () => {
    const mounted = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]!).filter((src) => src.startsWith('.')));
    expect(mounted.length).toBeGreaterThanOrEqual(5);
    for (const src of mounted) expect(existsSync(src), `${src} is mounted but missing`).toBe(true);
    for (const s of Object.values(services)) if (s.build) expect(existsSync(s.build.dockerfile)).toBe(true);
    const named = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]!).filter((src) => !src.startsWith('.') && !src.startsWith('/')));
    for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v);
  });

  it('leaves a marked place for the FreeSWITCH media server', () => {
    expect(text).toMatch(/FreeSWITCH media server \(media\.mode: freeswitch\) goes here/);
  });

  it('runs FreeSWITCH from a published image with the configuration shipped in docker/freeswitch/', () => {
    const fs = services.freeswitch!;
    expect(fs.build).toBeUndefined();
    expect(fs.profiles).toEqual(['freeswitch']);
    const sources = (fs.volumes ?? []).map((v) => v.split(':')[0]);
    expect(sources).toEqual(['./docker/freeswitch/freeswitch.xml', './docker/freeswitch/vars.xml']);
    const xml = readFileSync('docker/freeswitch/freeswitch.xml', 'utf8');
    expect(xml).toContain('<profile name="drachtio_mrf">');
    expect(xml).toContain('expression="^drachtio-fsmrf:"');
    expect(xml).toContain('data="${sip_h_X-esl-outbound} async full"');
  });

  it('the outdial config is valid once a replica fills in its address, and uses the drachtio edge and Redis by service name', () => {
    const config = parseConfig(parse(readFileSync('docker/outdial.yaml', 'utf8').replaceAll('CONTAINER_IP', '172.18.0.5')), 'docker/outdial.yaml');
    expect(config.sip.edge).toBe('drachtio');
    expect(config.sip.drachtio.host).toBe('drachtio');
    expect(config.store).toMatchObject({ type: 'redis', url: 'redis://redis:6379' });
    expect(config.media.rtp.host).toBe('172.18.0.5');
    expect(config.http.port).toBe(8080);
  });

  it('Prometheus scrapes every replica and Grafana gets the dashboard and the datasource it names', () => {
    const prom = parse(readFileSync('docker/prometheus/prometheus.yml', 'utf8'));
    expect(prom.scrape_configs[0].dns_sd_configs[0]).toMatchObject({ names: ['outdial'], port: 8080 });
    const ds = parse(readFileSync('docker/grafana/provisioning/datasources/prometheus.yml', 'utf8'));
    const dashboard = JSON.parse(readFileSync('docker/grafana/outdial-dashboard.json', 'utf8'));
    const uids = new Set(dashboard.panels.map((p: any) => p.datasource.uid));
    expect([...uids]).toEqual([ds.datasources[0].uid]);
    const provider = parse(readFileSync('docker/grafana/provisioning/dashboards/outdial.yml', 'utf8'));
    const mount = services.grafana!.volumes!.find((v) => v.startsWith('./docker/grafana/outdial-dashboard.json'))!;
    expect(mount.split(':')[1]!.startsWith(provider.providers[0].options.path)).toBe(true);
  });
});
