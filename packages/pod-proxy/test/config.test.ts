import { expect } from 'chai';
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
});
