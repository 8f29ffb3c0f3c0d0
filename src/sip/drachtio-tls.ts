// TLS trunks behind a drachtio-server (docs/edge-connection.md, "SIP over TLS"): the server makes the TLS
// connections, so how a carrier's certificate is checked is its configuration, not the trunk's `tls` keys.
// drachtio-server v0.9.x checks the certificates of the carriers it connects to only when it runs with
// DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 (against its <tls><chain-file>), never their host name, and pins none;
// outdial cannot see which it does, so it says so for every TLS trunk at start (a pin is a config error).
import type { Config } from '../config/index.js';

/** One line per TLS trunk whose certificate check outdial cannot make or vouch for behind a drachtio-server. */
export function drachtioTlsWarnings(config: Pick<Config, 'sip' | 'accounts'>): string[] {
  if (config.sip.edge !== 'drachtio') return [];
  const warnings: string[] = [];
  for (const a of config.accounts) {
    for (const t of a.trunks) {
      if (t.transport !== 'tls') continue;
      const at = `accounts[${a.name}].trunks[${t.name}]`;
      if (t.tls && !t.tls.verify) {
        warnings.push(
          `${at}.tls.verify: false is not honoured behind a drachtio-server: it checks every carrier or none (DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 and its <tls><chain-file>); when it checks, this carrier's certificate must be in that file`,
        );
      } else {
        warnings.push(
          `${at}.transport: tls through a drachtio-server: the carrier's certificate is checked only if drachtio-server runs with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 (against its <tls><chain-file>), and its host name never`,
        );
      }
    }
  }
  return warnings;
}
