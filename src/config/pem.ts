// PEM files named in the config (sip.embedded.tls): read and checked when the config is, so a missing file,
// a key that is not a key, or a certificate the key does not belong to stops the daemon at start with the
// key that names it, not at the first TLS connection.

import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';

export type PemKind = 'certificate' | 'private key';

/** The file's text when it holds a usable PEM certificate (or chain) or private key; throws a message saying what is wrong. */
export function readPem(path: string, kind: PemKind): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${path} (${code ?? (err as Error).message})`, { cause: err });
  }
  const marker = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!marker.test(text)) throw new Error(`${path} is not a PEM ${kind} (no "-----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----" block)`);
  try {
    if (kind === 'certificate') new X509Certificate(text);
    else createPrivateKey(text);
  } catch (err) {
    throw new Error(`${path} is not a readable PEM ${kind} (${(err as Error).message})`, { cause: err });
  }
  return text;
}

/** True when `key` is the private key of the first certificate in `cert` (both PEM). */
export function keyMatchesCertificate(cert: string, key: string): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}
