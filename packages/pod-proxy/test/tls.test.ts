import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateCertificate } from './support/certificate';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, request, startProxy, unusedPort, type Harness } from './support/harness';

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
      writeFileSync(edge.config.tls!.certFile, readFileSync(fresh.certFile));
      writeFileSync(edge.config.tls!.keyFile, readFileSync(fresh.keyFile));
      edge.proxy.reloadTls();
      expect((await httpsGet(edge.tlsPort!, '/api/v1/users/me')).commonName).to.equal('second.pod.test');
    } finally {
      rmSync(next, { recursive: true, force: true });
    }
  });
});

describe('HTTPS in the proxy process', () => {
  it('reloads the certificate on SIGHUP and keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pod-proxy-sighup-'));
    const upstream = await startEchoUpstream();
    const { certFile, keyFile } = generateCertificate(dir, 'before.pod.test');
    const [port, tlsPort, adminPort, healthPort] = [await unusedPort(), await unusedPort(), await unusedPort(), await unusedPort()];
    const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', join(__dirname, '../src/main.ts')], {
      env: { ...process.env, PROXY_HOST: '127.0.0.1', PROXY_PORT: String(port), PROXY_TLS_PORT: String(tlsPort),
        PROXY_ADMIN_PORT: String(adminPort), PROXY_HEALTH_URL: `http://127.0.0.1:${healthPort}`,
        PROXY_USERS_URL: upstream.url, PROXY_TLS_CERT_FILE: certFile, PROXY_TLS_KEY_FILE: keyFile },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`proxy exited ${code}`)));
      });
      expect((await httpsGet(tlsPort, '/api/v1/users/me')).commonName).to.equal('before.pod.test');
      const next = generateCertificate(mkdtempSync(join(dir, 'next-')), 'after.pod.test');
      writeFileSync(certFile, readFileSync(next.certFile));
      writeFileSync(keyFile, readFileSync(next.keyFile));
      child.kill('SIGHUP');
      await eventually(async () => (await httpsGet(tlsPort, '/api/v1/users/me')).commonName === 'after.pod.test',
        'the new certificate to be served');
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
