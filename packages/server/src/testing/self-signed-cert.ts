/** A throwaway self-signed certificate for TLS tests, made by the system's openssl. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
  /** The certificate in PEM, to trust it explicitly (`ca`) instead of turning verification off. */
  cert: Buffer;
  dir: string;
  remove(): void;
}

/**
 * Creates a one-day certificate for localhost and 127.0.0.1 in a temporary directory.
 *
 * @example
 *   const tls = makeSelfSignedCert();
 *   const server = await startServer({ env: { TLS_CERT: tls.certPath, TLS_KEY: tls.keyPath } });
 */
export function makeSelfSignedCert(): SelfSignedCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath, cert: fs.readFileSync(certPath), dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
