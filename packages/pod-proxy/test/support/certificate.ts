// Generates a throwaway self-signed certificate with the openssl CLI (Debian's openssl package).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function generateCertificate(dir: string, commonName: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`,
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { certFile, keyFile };
}
