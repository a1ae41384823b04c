import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateCertificate } from './support/certificate';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { request, startProxy, type Harness } from './support/harness';

function httpsGet(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string; commonName: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, agent: false, rejectUnauthorized: false }, (res) => {
      const commonName = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, commonName }));
    });
    req.on('error', reject);
  });
}

describe('HTTPS listener', () => {
  let dir: string;
  let upstream: EchoUpstream;
  let edge: Harness;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pod-proxy-tls-'));
    const { certFile, keyFile } = generateCertificate(dir, 'first.pod.test');
    upstream = await startEchoUpstream();
    edge = await startProxy({
      PROXY_USERS_URL: upstream.url, PROXY_TLS_CERT_FILE: certFile, PROXY_TLS_KEY_FILE: keyFile,
      PROXY_HTTPS_REDIRECT: 'true', PROXY_HSTS_MAX_AGE: '31536000',
    });
  });
  after(async () => {
    await edge.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proxies over TLS with the configured certificate, HSTS and X-Forwarded-Proto https', async () => {
    const answer = await httpsGet(edge.tlsPort!, '/api/v1/users/me');
    expect(answer.status).to.equal(200);
    expect(answer.commonName).to.equal('first.pod.test');
    expect(answer.headers['strict-transport-security']).to.equal('max-age=31536000');
    expect(upstream.seen.at(-1)!.headers['x-forwarded-proto']).to.equal('https');
  });

  it('redirects plain HTTP to HTTPS with 308 when asked to', async () => {
    const answer = await request(edge.port, { path: '/api/v1/users/me?x=1', headers: { host: 'pod.example:8080' } });
    expect(answer.status).to.equal(308);
    expect(answer.headers.location).to.equal(`https://pod.example:${edge.tlsPort}/api/v1/users/me?x=1`);
  });

  it('serves a replaced certificate after a reload, without restarting', async () => {
    const next = mkdtempSync(join(tmpdir(), 'pod-proxy-tls-next-'));
    try {
      const fresh = generateCertificate(next, 'second.pod.test');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(edge.config.tls!.certFile, readFileSync(fresh.certFile));
      writeFileSync(edge.config.tls!.keyFile, readFileSync(fresh.keyFile));
      edge.proxy.reloadTls();
      expect((await httpsGet(edge.tlsPort!, '/api/v1/users/me')).commonName).to.equal('second.pod.test');
    } finally {
      rmSync(next, { recursive: true, force: true });
    }
  });
});
