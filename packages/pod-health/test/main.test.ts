// The `health` process entry point as PM2 runs it: 'ready' over IPC once listening, exit 0 on
// SIGTERM, and a bad setting stops it with a message naming the variable.
import { expect } from 'chai';
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './loopback-servers';

const MAIN = path.join(__dirname, '..', 'src', 'main.ts');

describe('main entry point', function () {
  this.timeout(20_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-main-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const env = (extra: Record<string, string>) => ({
    ...process.env,
    POD_DATA_DIR: dataDir,
    PM2_HOME: path.join(dataDir, 'pm2'),
    LOG_LEVEL: 'silent',
    HEALTH_AUTH_HEALTH_URL: 'off', HEALTH_AUTH_METRICS_URL: 'off',
    HEALTH_USERS_HEALTH_URL: 'off', HEALTH_USERS_METRICS_URL: 'off',
    HEALTH_PROXY_HEALTH_URL: 'off', HEALTH_PROXY_METRICS_URL: 'off',
    ...extra,
  });

  it('sends ready once listening and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = fork(MAIN, [], { execArgv: ['--import', 'tsx'], env: env({ HEALTH_PORT: String(port) }), stdio: 'pipe' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`unexpected message ${String(m)}`))));
      child.once('exit', (code) => reject(new Error(`exited ${code} before ready`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).to.equal(200);
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });

  it('refuses to start with a bad setting, naming the variable', async () => {
    const child = fork(MAIN, [], { execArgv: ['--import', 'tsx'], env: env({ HEALTH_PORT: 'eighty' }), stdio: 'pipe' });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(2);
    expect(stderr).to.include('HEALTH_PORT');
  });
});
