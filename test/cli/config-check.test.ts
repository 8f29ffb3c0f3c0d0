import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configWarnings, maskSecrets, runConfigCheck } from '../../src/cli/config-check.js';
import { parseConfig } from '../../src/config/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'config-check-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function check(path: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runConfigCheck(path, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('outdial config check', () => {
  it('the example config: exit 0 through the real CLI, effective config with secrets masked, inventory and warnings', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'check', 'config/outdial.example.yaml']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/config\/outdial\.example\.yaml: valid/);
    // Defaults filled in.
    expect(stdout).toMatch(/shutdownGraceMs: 10000/);
    // No credential of the file appears; each is masked.
    const effective = stdout.slice(0, stdout.indexOf('\naccounts ('));
    for (const secret of ['s3cret', 'change-me', 'cymru']) expect(effective).not.toContain(secret);
    expect(stdout).not.toContain('s3cret');
    expect(stdout).toMatch(/password: "\*+"/);
    expect(stdout).toContain('carrier1  udp:127.0.0.1:5080  (default, auth)');
    expect(stdout).toContain('Bot1  account acme  sip:bot1@127.0.0.1:5090');
    expect(stdout).toContain('dialer1  roles [VAIC/BOTS/DIALOUT]  scopes [*]');
    expect(stdout).toMatch(/warnings \(\d+\):/);
    expect(stdout).toContain('the default "change-me" signs notifications');
    expect(stdout).toContain('clients[dialer1].scopes: "*"');
  });

  it('a bad config: exit 1 through the real CLI, naming each wrong key', async () => {
    const bad = file('bad.yaml', 'http: { port: 99999 }\nbots:\n  - { name: B, account: nobody, sipUri: "sip:b@h" }\nnotifications: { retries: 5, signingSecrets: [] }\nbogus: 1\n');
    const result = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'check', bad]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not valid');
    expect(result.stderr).toContain('http.port');
    expect(result.stderr).toContain('bots[0].account: unknown account "nobody"');
    expect(result.stderr).toContain('notifications.signingSecrets');
    expect(result.stderr).toContain('bogus: unknown key');
  });

  it('an unreadable file, YAML that does not parse and a top level that is not a mapping all exit 1', () => {
    expect(check(join(dir, 'missing.yaml'))).toMatchObject({ code: 1, out: '' });
    expect(check(join(dir, 'missing.yaml')).err).toContain('cannot read config file');
    expect(check(file('broken.yaml', 'http: { port: 8080\n')).err).toContain('not valid YAML');
    expect(check(file('list.yaml', '- a\n- b\n')).err).toContain('top level must be a mapping');
  });

  it('warns about TCP trunks without limits, the drachtio default secret and an empty config; not about a clean one', () => {
    const risky = parseConfig({
      sip: { edge: 'drachtio' },
      accounts: [{ name: 'a', trunks: [{ name: 't', host: 'h', transport: 'tcp' }] }],
    });
    const warnings = configWarnings(risky);
    expect(warnings).toContain('accounts[a].trunks[t]: TCP without limits (set maxConcurrentCalls or maxCallsPerSecond)');
    expect(warnings).toContain('sip.drachtio.secret: drachtio-server\'s well-known default "cymru"');
    expect(configWarnings(parseConfig({}))).toContain('accounts: no trunk is configured; every dialout fails');
    const clean = parseConfig({
      store: { type: 'redis' },
      notifications: { signingSecrets: ['new', 'old'] },
      accounts: [{ name: 'a', trunks: [{ name: 't', host: 'h', transport: 'tcp', maxConcurrentCalls: 10 }] }],
      bots: [{ name: 'B', account: 'a', sipUri: 'sip:b@h' }],
      clients: [{ id: 'c', secret: 'x', roles: ['VAIC/BOTS/DIALOUT'], scopes: ['sales'] }],
    });
    expect(configWarnings(clean)).toEqual([]);
    expect(check(file('clean.yaml', JSON.stringify(clean))).out).toContain('no warnings');
  });

  it('warns about a TLS trunk that skips certificate checks, and about TLS trunks whose check is a drachtio-server\'s', () => {
    const drachtio = parseConfig({
      sip: { edge: 'drachtio' },
      accounts: [
        {
          name: 'a',
          trunks: [
            { name: 't', host: 'carrier.example', transport: 'tls', tls: { verify: false } },
            { name: 'v', host: 'other.example', transport: 'tls' },
            { name: 'u', host: 'plain.example' },
          ],
        },
      ],
    });
    const warnings = configWarnings(drachtio);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'accounts[a].trunks[t].tls.verify: false; anyone on the path can pose as this carrier',
        "accounts[a].trunks[t].tls.verify: false is not honoured behind a drachtio-server: it checks every carrier or none (DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 and its <tls><chain-file>); when it checks, this carrier's certificate must be in that file",
        "accounts[a].trunks[v].transport: tls through a drachtio-server: the carrier's certificate is checked only if drachtio-server runs with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 (against its <tls><chain-file>), and its host name never",
      ]),
    );
    expect(warnings.filter((w) => w.includes('drachtio-server') && w.includes('trunks['))).toHaveLength(2);
  });

  it('masks secrets in lists and the password of a store URL', () => {
    expect(maskSecrets({ notifications: { signingSecrets: ['a', 'b'] }, store: { url: 'redis://user:pw@redis:6379/0' }, x: { host: 'h' } })).toEqual({
      notifications: { signingSecrets: ['********', '********'] },
      store: { url: 'redis://user:********@redis:6379/0' },
      x: { host: 'h' },
    });
  });
});
