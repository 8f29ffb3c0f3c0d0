import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'outdial-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('config loading', () => {
  it('applies the embedded defaults without a file', () => {
    const cfg = loadConfig();
    expect(cfg.sip.edge).toBe('embedded');
    expect(cfg.media.mode).toBe('direct');
    expect(cfg.store.type).toBe('memory');
    expect(cfg.http.port).toBe(8080);
    expect(cfg.notifications.retries).toBe(5);
    expect(cfg.sip.sessionExpiresSec).toBe(1800);
  });

  it('loads the example config of the repository', () => {
    const cfg = loadConfig('config/outdial.example.yaml');
    expect(cfg.bots[0]?.name).toBe('Bot1');
    expect(cfg.accounts[0]?.trunks[0]?.auth?.username).toBe('u');
    expect(cfg.bots[0]?.dialoutConcurrentCallsExpirationSeconds).toBe(1200);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['port out of range', 'http: { port: 70000 }', /http\.port: .*65535/],
    ['unknown key', 'htp: { port: 80 }', /htp: unknown key/],
    ['wrong edge', 'sip: { edge: kamailio }', /sip\.edge: /],
    ['session interval below RFC 4028 minimum', 'sip: { sessionExpiresSec: 30 }', /sip\.sessionExpiresSec/],
    ['store type', 'store: { type: postgres }', /store\.type/],
    ['redis url', 'store: { type: redis, url: "http://x" }', /store\.url: must be a redis:\/\/ URL/],
    ['concurrency above 300', 'accounts: [{name: a}]\nbots: [{name: B, account: a, sipUri: "sip:b@h", dialoutMaxConcurrentCalls: 301}]', /bots\[0\]\.dialoutMaxConcurrentCalls: .*300/],
    ['expiration below 10', 'accounts: [{name: a}]\nbots: [{name: B, account: a, sipUri: "sip:b@h", dialoutConcurrentCallsExpirationSeconds: 5}]', /bots\[0\]\.dialoutConcurrentCallsExpirationSeconds: .*10/],
    ['negative rate', 'accounts: [{name: a}]\nbots: [{name: B, account: a, sipUri: "sip:b@h", dialoutLimitPerSecond: -1}]', /bots\[0\]\.dialoutLimitPerSecond/],
    ['bot of unknown account', 'bots: [{name: B, account: nope, sipUri: "sip:b@h"}]', /bots\[0\]\.account: unknown account "nope"/],
    ['bot uri', 'accounts: [{name: a}]\nbots: [{name: B, account: a, sipUri: "http://b"}]', /bots\[0\]\.sipUri: must be a sip: URI/],
    ['two default trunks', 'accounts: [{name: a, trunks: [{name: t1, host: h, default: true}, {name: t2, host: h, default: true}]}]', /accounts\[0\]\.trunks: only one trunk may be default/],
    ['trunk without host', 'accounts: [{name: a, trunks: [{name: t1}]}]', /accounts\[0\]\.trunks\[0\]\.host/],
    ['not yaml', 'http: [port: 1', /not valid YAML/],
    ['scalar top level', '42', /top level must be a mapping/],
    ['rtp range', 'media: { rtp: { portMin: 5000, portMax: 4000 } }', /media\.rtp\.portMin: portMin must not exceed portMax/],
    ['no legs set up at once', 'media: { freeswitch: [{ address: 127.0.0.1, legSetupsAtOnce: 0 }] }', /media\.freeswitch\[0\]\.legSetupsAtOnce: .*>=1/],
    ['fractional legs set up at once', 'media: { freeswitch: [{ address: 127.0.0.1 }, { address: 10.0.0.2, legSetupsAtOnce: 2.5 }] }', /media\.freeswitch\[1\]\.legSetupsAtOnce: must be a whole number of legs/],
    ['legs set up at once not a number', 'media: { freeswitch: [{ address: 127.0.0.1, legSetupsAtOnce: "many" }] }', /media\.freeswitch\[0\]\.legSetupsAtOnce: .*number/],
    ['no wait for a setup turn', 'media: { freeswitch: [{ address: 127.0.0.1, legSetupWaitSec: 0 }] }', /media\.freeswitch\[0\]\.legSetupWaitSec: .*>=1/],
    ['setup wait above 300 s', 'media: { freeswitch: [{ address: 127.0.0.1, legSetupWaitSec: 301 }] }', /media\.freeswitch\[0\]\.legSetupWaitSec: .*300/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects a bad file: ${name}`, () => {
      const path = file(`${name.replace(/\W+/g, '-')}.yaml`, text);
      expect(() => loadConfig(path)).toThrow(ConfigError);
      expect(() => loadConfig(path)).toThrow(message);
    });
  }

  it('names an unreadable file', () => {
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read config file/);
  });

  it('stops `outdial start` with a message naming the key', () => {
    const path = file('cli-bad.yaml', 'notifications: { retries: "many" }');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', path], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/notifications\.retries: .*number/);
  });

  it('sets up 8 legs at once per FreeSWITCH and lets the rest wait 30 s unless a server says otherwise', () => {
    const path = file('freeswitch-setups.yaml', 'media:\n  freeswitch:\n    - { address: 10.0.0.1 }\n    - { address: 10.0.0.2, legSetupsAtOnce: 32, legSetupWaitSec: 60 }\n');
    expect(loadConfig(path).media.freeswitch).toEqual([
      { address: '10.0.0.1', port: 8021, secret: 'ClueCon', legSetupsAtOnce: 8, legSetupWaitSec: 30 },
      { address: '10.0.0.2', port: 8021, secret: 'ClueCon', legSetupsAtOnce: 32, legSetupWaitSec: 60 },
    ]);
  });

  it('refuses media.mode freeswitch at start without a drachtio-server edge and a FreeSWITCH server, naming both', () => {
    const path = file('freeswitch.yaml', 'http: { port: 0 }\nmedia: { mode: freeswitch }');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', path], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/sip\.edge: media\.mode "freeswitch" requires sip\.edge "drachtio"/);
    expect(run.stderr).toMatch(/media\.freeswitch: media\.mode "freeswitch" needs at least one server/);
  });
});

describe('TLS and DNS settings', () => {
  const pem = (name: string, lines: string[]) => file(name, lines.join('\n'));
  const tlsConfig = (tls: Record<string, unknown>, trunk: Record<string, unknown> = {}) =>
    file(
      `tls-${Math.random().toString(36).slice(2)}.yaml`,
      JSON.stringify({ sip: { embedded: { tls } }, accounts: [{ name: 'a', trunks: [{ name: 't', host: 'carrier.example', transport: 'tls', ...trunk }] }] }),
    );
  const made = (() => {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const otherKey = join(dir, 'other-key.pem');
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=t'], { stdio: 'ignore' });
    spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey], { stdio: 'ignore' });
    return { keyFile, certFile, otherKey };
  })();

  it('takes a certificate and key that belong together, and a trunk over TLS with no port (DNS finds it)', () => {
    const cfg = loadConfig(tlsConfig({ cert: made.certFile, key: made.keyFile }));
    expect(cfg.sip.embedded.tls).toEqual({ port: 5061, cert: made.certFile, key: made.keyFile });
    expect(cfg.accounts[0]!.trunks[0]).toMatchObject({ host: 'carrier.example', transport: 'tls' });
    expect(cfg.accounts[0]!.trunks[0]!.port).toBeUndefined();
  });

  it('names the key of a PEM file that is missing, is not PEM, or does not belong to the certificate', () => {
    expect(() => loadConfig(tlsConfig({ cert: join(dir, 'nope.pem'), key: made.keyFile }))).toThrow(/sip\.embedded\.tls\.cert: cannot read .*nope\.pem \(ENOENT\)/);
    const notPem = pem('not.pem', ['hello']);
    expect(() => loadConfig(tlsConfig({ cert: made.certFile, key: notPem }))).toThrow(/sip\.embedded\.tls\.key: .*not\.pem is not a PEM private key/);
    const broken = pem('broken.pem', ['-----BEGIN CERTIFICATE-----', 'AAAA', '-----END CERTIFICATE-----']);
    expect(() => loadConfig(tlsConfig({ cert: made.certFile, key: made.keyFile, ca: broken }))).toThrow(/sip\.embedded\.tls\.ca: .*broken\.pem is not a readable PEM certificate/);
    expect(() => loadConfig(tlsConfig({ cert: made.certFile, key: made.otherKey }))).toThrow(/sip\.embedded\.tls\.key: .*is not the private key of the certificate/);
  });

  it('refuses a TLS trunk without sip.embedded.tls, tls keys on a trunk that is not TLS, a pin that is not a SHA-256 fingerprint, and a pin behind a drachtio-server', () => {
    const noTls = file('no-tls.yaml', JSON.stringify({ accounts: [{ name: 'a', trunks: [{ name: 't', host: '10.0.0.1', transport: 'tls' }] }] }));
    expect(() => loadConfig(noTls)).toThrow(/accounts\[0\]\.trunks\[0\]\.transport: "tls" needs sip\.embedded\.tls/);
    const udpTls = file('udp-tls.yaml', JSON.stringify({ accounts: [{ name: 'a', trunks: [{ name: 't', host: '10.0.0.1', tls: { verify: false } }] }] }));
    expect(() => loadConfig(udpTls)).toThrow(/accounts\[0\]\.trunks\[0\]\.tls: applies only to a trunk with transport "tls"/);
    expect(() => loadConfig(tlsConfig({ cert: made.certFile, key: made.keyFile }, { tls: { fingerprint: 'AB:CD' } }))).toThrow(/tls\.fingerprint: must be a SHA-256 fingerprint/);
    const pinnedBehindDrachtio = file(
      'pinned-drachtio.yaml',
      JSON.stringify({ sip: { edge: 'drachtio' }, accounts: [{ name: 'a', trunks: [{ name: 't', host: '10.0.0.1', transport: 'tls', tls: { fingerprint: `${'AB:'.repeat(31)}CD` } }] }] }),
    );
    expect(() => loadConfig(pinnedBehindDrachtio)).toThrow(/accounts\[0\]\.trunks\[0\]\.tls\.fingerprint: cannot be honoured behind a drachtio-server \(sip\.edge "drachtio"\): it checks carriers' certificates itself, against its <tls><chain-file>, and pins none/);
  });

  it('takes sip.dns servers as addresses with ports, and names a server that is not one', () => {
    const ok = file('dns-ok.yaml', 'sip:\n  dns:\n    servers: ["127.0.0.1:5353", "[::1]:53", "10.0.0.53"]\n');
    expect(loadConfig(ok).sip.dns).toEqual({ servers: ['127.0.0.1:5353', '[::1]:53', '10.0.0.53'], timeoutMs: 2000 });
    const bad = file('dns-bad.yaml', 'sip:\n  dns:\n    servers: ["resolver.example:53"]\n');
    expect(() => loadConfig(bad)).toThrow(/sip\.dns\.servers\[0\]: must be an IP address/);
  });
});
