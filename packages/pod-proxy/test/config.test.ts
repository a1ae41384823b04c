import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to the pod contract: 8080 public, 3004 admin, auth 10 r/s burst 20, users 15 r/s burst 30, 1 MB bodies', () => {
    const config = loadConfig({});
    expect(config).to.include({ host: '0.0.0.0', port: 8080, adminHost: '127.0.0.1', adminPort: 3004, tls: null, metricsToken: null });
    expect(config.healthUrl).to.equal('http://127.0.0.1:3003');
    expect(config.routes.map((route) => [route.name, route.prefix, route.target, route.ratePerSecond, route.burst, route.bodyLimitBytes])).to.deep.equal([
      ['auth', '/api/v1/auth', 'http://127.0.0.1:3001', 10, 20, 1048576],
      ['users', '/api/v1/users', 'http://127.0.0.1:3002', 15, 30, 1048576],
    ]);
  });

  it('follows the services\' host and port variables', () => {
    const config = loadConfig({ AUTH_PORT: '4001', USERS_HOST: '127.0.0.2' });
    expect(config.routes.map((route) => route.target)).to.deep.equal(['http://127.0.0.1:4001', 'http://127.0.0.2:3002']);
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadConfig({ PROXY_PORT: 'eighty' })).to.throw(/PROXY_PORT/);
    expect(() => loadConfig({ PROXY_AUTH_RATE: '-1' })).to.throw(/PROXY_AUTH_RATE/);
    expect(() => loadConfig({ PROXY_USERS_URL: 'ftp://x' })).to.throw(/PROXY_USERS_URL/);
    expect(() => loadConfig({ PROXY_HTTPS_REDIRECT: 'maybe', PROXY_TLS_CERT_FILE: 'c', PROXY_TLS_KEY_FILE: 'k' })).to.throw(/PROXY_HTTPS_REDIRECT/);
    expect(() => loadConfig({ PROXY_TLS_CERT_FILE: 'cert.pem' })).to.throw(/PROXY_TLS_KEY_FILE/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).to.throw(/LOG_LEVEL/);
  });

  it('takes the metrics token from PROXY_METRICS_TOKEN_FILE, trimmed, and refuses an ambiguous or unreadable one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pod-proxy-config-'));
    try {
      const file = path.join(dir, 'metrics_token');
      writeFileSync(file, '  s3cret\n');
      expect(loadConfig({ PROXY_METRICS_TOKEN_FILE: file }).metricsToken).to.equal('s3cret');
      expect(() => loadConfig({ PROXY_METRICS_TOKEN_FILE: file, PROXY_METRICS_TOKEN: 'x' })).to.throw(/PROXY_METRICS_TOKEN_FILE/);
      expect(() => loadConfig({ PROXY_METRICS_TOKEN_FILE: path.join(dir, 'missing') })).to.throw(/PROXY_METRICS_TOKEN_FILE.*ENOENT/);
      writeFileSync(file, '\n');
      expect(() => loadConfig({ PROXY_METRICS_TOKEN_FILE: file })).to.throw(/PROXY_METRICS_TOKEN_FILE.*empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shares rate limits only when PROXY_REDIS_URL is set, and never echoes a bad Redis URL (it may hold a password)', () => {
    expect(loadConfig({}).redis).to.equal(null);
    expect(loadConfig({ PROXY_REDIS_URL: 'redis://:pw@redis:6379/0' }).redis).to.deep.equal({
      url: 'redis://:pw@redis:6379/0', keyPrefix: 'core-pod:ratelimit:', timeoutMs: 100,
    });
    let message = '';
    try { loadConfig({ PROXY_REDIS_URL: 'http://:hunter2@redis' }); } catch (error) { message = (error as Error).message; }
    expect(message).to.match(/PROXY_REDIS_URL/).and.not.to.include('hunter2');
    expect(() => loadConfig({ PROXY_REDIS_URL: 'redis://r', PROXY_REDIS_TIMEOUT_MS: '0' })).to.throw(/PROXY_REDIS_TIMEOUT_MS/);
  });
});
