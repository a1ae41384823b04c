// The supervisor's configuration: defaults, and bad values fail naming the variable.
import { expect } from 'chai';
import path from 'node:path';
import { loadConfig } from '../src/config';

describe('supervisor configuration', () => {
  it('defaults to ./data with the PM2 home and the pod log inside it', () => {
    const config = loadConfig({ POD_LOG_STDOUT: '0' });
    expect(config).to.include({ dataDir: path.resolve('data'), pm2Home: path.resolve('data', 'pm2'), logFile: path.resolve('data', 'logs', 'pod.log'), logStdout: 'none', notifyWebhookUrl: null, notifyFormat: 'json', exitOnCriticalFatal: true });
  });

  for (const [name, value] of [
    ['POD_LOG_MAX_BYTES', '10kb'],
    ['POD_LOG_MAX_FILES', '-1'],
    ['POD_LOG_STDOUT', 'maybe'],
    ['POD_NOTIFY_WEBHOOK_URL', 'ftp://example.test/hook'],
    ['POD_NOTIFY_FORMAT', 'teams'],
    ['LOG_LEVEL', 'loud'],
  ] as const) {
    it(`rejects ${name}=${value} naming the variable`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(name);
    });
  }

  it('copies every line to stdout with POD_LOG_STDOUT=1, and by default at least the supervisor\'s own', () => {
    expect(loadConfig({ POD_LOG_STDOUT: '1' }).logStdout).to.equal('all');
    expect(loadConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }).logStdout).to.equal('all');
    expect(['supervisor', 'all']).to.include(loadConfig({}).logStdout);
  });
});
