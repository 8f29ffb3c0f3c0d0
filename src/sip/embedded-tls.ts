// SIP over TLS on the embedded edge (docs/sip-edge.md, "TLS"): our certificate from sip.embedded.tls, and
// how each carrier's certificate is checked, from its trunk's `tls` keys.

import type { Config, TrunkConfig } from '../config/index.js';
import { readPem } from '../config/pem.js';
import type { TlsPeerCheck, TlsSetup } from '../edge/index.js';

/** How one trunk's certificate is checked: pinned, skipped, or against the trusted authorities (the default). */
export function trunkTlsCheck(trunk: Pick<TrunkConfig, 'tls'>): TlsPeerCheck {
  if (trunk.tls?.fingerprint !== undefined) return { verify: 'fingerprint', fingerprint: trunk.tls.fingerprint };
  if (trunk.tls && !trunk.tls.verify) return { verify: 'none' };
  return { verify: 'ca' };
}

/**
 * The edge's TLS: listening on sip.embedded.tls.port with its certificate, trusting its `ca` (or the system
 * store). A peer is checked as the TLS trunk whose host is the name it is reached by says; any other peer
 * (a sips: target) against the trusted authorities.
 */
export function embeddedTls(config: Config): TlsSetup {
  const tls = config.sip.embedded.tls;
  const checks = new Map<string, TlsPeerCheck>();
  for (const account of config.accounts) {
    for (const trunk of account.trunks) {
      const host = trunk.host.toLowerCase().replace(/^\[|\]$/g, '');
      if (trunk.transport === 'tls' && !checks.has(host)) checks.set(host, trunkTlsCheck(trunk));
    }
  }
  const checkFor = (name: string) => checks.get(name.toLowerCase());
  if (!tls) return { checkFor };
  const ca = tls.ca !== undefined ? readPem(tls.ca, 'certificate') : undefined;
  return {
    port: tls.port,
    credentials: { cert: readPem(tls.cert, 'certificate'), key: readPem(tls.key, 'private key'), ...(ca !== undefined && { ca }) },
    ...(ca !== undefined && { ca }),
    checkFor,
  };
}
