import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { client, runEntry, waitFor } from '@core-pod/service-test-harness';

const packageDir = path.resolve(__dirname, '..');
const run = (entry: string, env: Record<string, string>) => runEntry(packageDir, entry, env);

describe('entry points', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-main-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('main migrates a fresh data dir, serves, and exits 0 on SIGTERM', async () => {
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, AUTH_PORT: '0', AUTH_BCRYPT_COST: '10' });
    try {
      await waitFor(() => /auth-service listening/.test(proc.output()), 20_000, 'the listening log line');
      const line = proc.output().split('\n').find((l) => l.includes('auth-service listening'))!;
      const { url } = JSON.parse(line) as { url: string };
      const http = client(url);
      expect((await http.get('/api/v1/auth/health')).status).to.equal(200);
      const reg = await http.post('/api/v1/auth/register', { body: { email: 'main@example.com', password: 'correct horse battery' } });
      expect(reg.status).to.equal(201);
      expect(fs.existsSync(path.join(dataDir, 'auth.db'))).to.equal(true);
      expect(fs.existsSync(path.join(dataDir, 'auth-keys', 'signing-key.pem'))).to.equal(true);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).to.equal(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('refuses to start in production without a signing key, naming the variable', async () => {
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, AUTH_PORT: '0', NODE_ENV: 'production', POD_INTERNAL_TOKEN: 'x'.repeat(40) });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('AUTH_JWT_PRIVATE_KEY_FILE');
  });

  it('refuses a bad configuration value, naming the variable', async () => {
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, AUTH_BCRYPT_COST: '4' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('AUTH_BCRYPT_COST');
  });

  it('migrate applies the migrations once and is idempotent', async () => {
    const first = run('migrate.ts', { POD_DATA_DIR: dataDir });
    expect(await first.exited).to.equal(0);
    expect(first.output()).to.match(/applied \d+_init/);
    const second = run('migrate.ts', { POD_DATA_DIR: dataDir });
    expect(await second.exited).to.equal(0);
    expect(second.output()).to.include('database up to date');
  });

  it('migrate fails clearly on an unsupported database URL', async () => {
    const proc = run('migrate.ts', { POD_DATA_DIR: dataDir, AUTH_DATABASE_URL: 'mysql://user:secret@localhost/db' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('unsupported database URL');
    expect(proc.output()).to.not.include('secret');
  });
});
