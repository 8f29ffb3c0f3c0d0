// Self-signed certificates made for a test by the openssl command-line tool: each one is its own authority,
// so trusting it (as `ca`) is trusting exactly that peer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256 fingerprint, AB:CD:… as openssl prints it. */
  fingerprint: string;
}

/** A P-256 certificate for `name`, valid for the name itself and (unless `forLoopback` is false) 127.0.0.1. */
export function makeCertificate(name: string, options: { forLoopback?: boolean } = {}): TestCertificate {
  const altNames = options.forLoopback === false ? `DNS:${name}` : `IP:127.0.0.1,DNS:${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'outdial-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${altNames}`],
    { stdio: 'ignore' },
  );
  const fp = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), fingerprint: fp.split('=')[1]!.trim() };
}
