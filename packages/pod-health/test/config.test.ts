// Configuration: contract defaults, target overrides, and bad values failing with the variable name.
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to the pod contracts: 127.0.0.1:3003 and the auth, users and proxy-admin endpoints', () => {
    const config = loadConfig({});
    expect(config).to.deep.include({ host: '127.0.0.1', port: 3003, collectIntervalMs: 5000, notifyWebhookUrl: null });
    expect(config.targets).to.deep.equal([
      { name: 'auth', healthUrl: 'http://127.0.0.1:3001/api/v1/auth/health', metricsUrl: 'http://127.0.0.1:3001/metrics' },
      { name: 'users', healthUrl: 'http://127.0.0.1:3002/api/v1/users/health', metricsUrl: 'http://127.0.0.1:3002/metrics' },
      { name: 'proxy', healthUrl: 'http://127.0.0.1:3004/livez', metricsUrl: 'http://127.0.0.1:3004/metrics' },
    ]);
    expect(config.supervisorStateFile.endsWith('/data/run/pod-status.json')).to.equal(true);
  });

  it('follows the services’ port variables and lets a target be switched off', () => {
    const config = loadConfig({ AUTH_PORT: '4001', HEALTH_PROXY_HEALTH_URL: 'off' });
    expect(config.targets[0]!.healthUrl).to.equal('http://127.0.0.1:4001/api/v1/auth/health');
    expect(config.targets[2]!.healthUrl).to.equal(null);
  });

  for (const [variable, value] of [
    ['HEALTH_PORT', 'abc'],
    ['HEALTH_COLLECT_INTERVAL_MS', '5'],
    ['HEALTH_MEMORY_WARN_RATIO', '1.5'],
    ['POD_NOTIFY_WEBHOOK_URL', 'ftp://example'],
  ] as const) {
    it(`rejects ${variable}=${value} with an error naming the variable`, () => {
      expect(() => loadConfig({ [variable]: value })).to.throw(ConfigError, variable);
    });
  }

  it('rejects a fail threshold below its warn threshold', () => {
    expect(() => loadConfig({ HEALTH_MEMORY_WARN_RATIO: '0.9', HEALTH_MEMORY_FAIL_RATIO: '0.8' })).to.throw(ConfigError, 'HEALTH_MEMORY_FAIL_RATIO');
  });
});
