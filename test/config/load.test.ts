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

  it('refuses media.mode freeswitch at start without a drachtio-server edge and a FreeSWITCH server, naming both', () => {
    const path = file('freeswitch.yaml', 'http: { port: 0 }\nmedia: { mode: freeswitch }');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', path], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/sip\.edge: media\.mode "freeswitch" requires sip\.edge "drachtio"/);
    expect(run.stderr).toMatch(/media\.freeswitch: media\.mode "freeswitch" needs at least one server/);
  });
});
