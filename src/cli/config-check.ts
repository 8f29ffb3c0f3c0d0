// `outdial config check FILE`: what the daemon would run with, before it is deployed. Validates the file,
// prints the effective configuration (defaults filled in, secrets masked), what it defines (accounts and
// trunks, bots, clients) and warnings about settings that work but should not go to production.

import { stringify } from 'yaml';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { drachtioTlsWarnings } from '../sip/index.js';
import { trunkHostport } from '../trunks/index.js';

/** Keys whose values are credentials: never printed. */
const secretKey = /secret|password|token/i;
const mask = '********';

/** A URL's password (redis://user:password@host) masked. */
function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, `$1${mask}@`);
}

/** The config with every credential replaced by a mask (arrays of secrets masked item by item). */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /url$/i.test(key)) return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((v) => (secretKey.test(key) && typeof v === 'string' ? mask : maskSecrets(v)));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretKey.test(k) && typeof v === 'string' ? mask : maskSecrets(v, k)]));
  }
  return value;
}

/** Settings that are valid but unsafe or probably unintended, one line each naming the key. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const n = config.notifications;
  const secrets = n.signingSecrets ?? [n.signingSecret];
  if (secrets.includes('change-me')) {
    warnings.push('notifications.signingSecret: the default "change-me" signs notifications; receivers cannot trust them');
  }
  if (config.sip.edge === 'drachtio' && config.sip.drachtio.secret === 'cymru') {
    warnings.push("sip.drachtio.secret: drachtio-server's well-known default \"cymru\"");
  }
  for (const c of config.clients) {
    if (c.scopes.includes('*')) warnings.push(`clients[${c.id}].scopes: "*" lets this client dial out through every bot`);
  }
  for (const a of config.accounts) {
    for (const t of a.trunks) {
      if (t.transport === 'tcp' && t.maxConcurrentCalls === 0 && t.maxCallsPerSecond === 0) {
        warnings.push(`accounts[${a.name}].trunks[${t.name}]: TCP without limits (set maxConcurrentCalls or maxCallsPerSecond)`);
      }
      if (t.tls && !t.tls.verify) warnings.push(`accounts[${a.name}].trunks[${t.name}].tls.verify: false; anyone on the path can pose as this carrier`);
    }
  }
  warnings.push(...drachtioTlsWarnings(config));
  if (config.accounts.every((a) => a.trunks.length === 0)) warnings.push('accounts: no trunk is configured; every dialout fails');
  if (config.bots.length === 0) warnings.push('bots: none configured; every dialout is refused (unknown bot)');
  if (config.clients.length === 0) warnings.push('clients: none configured; no dialer can authenticate');
  if (config.store.type === 'memory') warnings.push('store: memory keeps calls and the notification outbox in this process only (lost on restart)');
  return warnings;
}

/** What the file defines, one line per account/trunk, bot and client. */
export function configInventory(config: Config): string[] {
  const lines: string[] = [];
  lines.push(`accounts (${config.accounts.length}):`);
  for (const a of config.accounts) {
    lines.push(`  ${a.name}: ${a.trunks.length} trunk${a.trunks.length === 1 ? '' : 's'}`);
    for (const t of a.trunks) {
      const flags = [t.default && 'default', t.auth && 'auth', t.register && 'register', t.ping && `ping ${t.ping.intervalSec}s`].filter(Boolean).join(', ');
      lines.push(`    ${t.name}  ${t.transport}:${trunkHostport(t)}${t.priority !== undefined ? `  priority ${t.priority}` : ''}${flags ? `  (${flags})` : ''}`);
    }
  }
  lines.push(`bots (${config.bots.length}):`);
  for (const b of config.bots) {
    const limits = `${b.dialoutLimitPerSecond || 'no'} /s limit, ${b.dialoutMaxConcurrentCalls || 'no'} concurrent limit`;
    lines.push(`  ${b.name}  account ${b.account}  ${b.sipUri}  ${limits}${b.eventsUrl ? `  events ${b.eventsUrl}` : ''}`);
  }
  lines.push(`clients (${config.clients.length}):`);
  for (const c of config.clients) lines.push(`  ${c.id}  roles [${c.roles.join(', ')}]  scopes [${c.scopes.join(', ')}]`);
  return lines;
}

/** Runs the check; returns the exit code (0 valid, warnings or not; 1 invalid or unreadable). */
export function runConfigCheck(file: string, out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  let config: Config;
  try {
    config = loadConfig(file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`outdial config check: ${file} is not valid\n${e.message.split('; ').map((l) => `  ${l}`).join('\n')}\n`);
    return 1;
  }
  const warnings = configWarnings(config);
  out(`# ${file}: valid. Effective configuration (defaults filled in, secrets masked):\n`);
  out(stringify(maskSecrets(config)));
  out(`\n${configInventory(config).join('\n')}\n`);
  out(warnings.length === 0 ? '\nno warnings\n' : `\nwarnings (${warnings.length}):\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`);
  return 0;
}
