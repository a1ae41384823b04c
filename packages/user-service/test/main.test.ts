// The entry points as the supervisor runs them: main.ts migrates, serves (degraded while auth is
// away) and exits 0 on SIGTERM; bad config names the variable; migrate.ts is idempotent; the
// per-provider schemas have not drifted from prisma/models.prisma.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from './support/pod';
import { runEntry, waitFor } from '@core-pod/service-test-harness';

const packageDir = path.resolve(__dirname, '..');
const run = (entry: string, env: Record<string, string>) => runEntry(packageDir, entry, env);

describe('entry points', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-main-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('main migrates a fresh data dir, serves with auth away (health warn), and exits 0 on SIGTERM', async () => {
    const deadAuth = `http://127.0.0.1:${await freePort()}`;
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, USERS_PORT: '0', AUTH_INTERNAL_URL: deadAuth });
    try {
      await waitFor(() => /user service listening/.test(proc.output()), 20_000, 'the listening log line');
      const line = proc.output().split('\n').find((l) => l.includes('user service listening')) as string;
      const { url } = JSON.parse(line) as { url: string };
      const health = await fetch(`${url}/api/v1/users/health`);
      expect(health.status).to.equal(200);
      expect(((await health.json()) as { status: string }).status).to.equal('warn');
      expect((await fetch(`${url}/metrics`)).status).to.equal(200);
      expect(fs.existsSync(path.join(dataDir, 'users.db'))).to.equal(true);
      expect(fs.existsSync(path.join(dataDir, 'internal-token'))).to.equal(true);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).to.equal(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('refuses a bad configuration value, naming the variable', async () => {
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, USERS_REVOCATION_POLL_INTERVAL_MS: '60000' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('USERS_REVOCATION_POLL_INTERVAL_MS');
  });

  it('refuses to start in production without the internal token, naming the variable', async () => {
    const proc = run('main.ts', { POD_DATA_DIR: dataDir, USERS_PORT: '0', NODE_ENV: 'production' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('POD_INTERNAL_TOKEN');
  });

  it('migrate applies the migrations once and is idempotent', async () => {
    const first = run('migrate.ts', { POD_DATA_DIR: dataDir });
    expect(await first.exited).to.equal(0);
    expect(first.output()).to.match(/applied: \d+_init/);
    const second = run('migrate.ts', { POD_DATA_DIR: dataDir });
    expect(await second.exited).to.equal(0);
    expect(second.output()).to.include('up to date');
  });

  it('migrate fails clearly on an unsupported database URL, without printing the password', async () => {
    const proc = run('migrate.ts', { POD_DATA_DIR: dataDir, USERS_DATABASE_URL: 'mysql://user:secret@localhost/db' });
    expect(await proc.exited).to.equal(1);
    expect(proc.output()).to.include('unsupported database URL');
    expect(proc.output()).to.not.include('secret');
  });

  it('keeps the derived sqlite and postgresql schemas in step with prisma/models.prisma', () => {
    const cli = path.join(path.dirname(require.resolve('@core-pod/prisma-runtime/package.json')), 'bin', 'core-pod-prisma.js');
    expect(() => execFileSync(process.execPath, [cli, 'check', packageDir], { stdio: 'pipe' })).to.not.throw();
  });
});
