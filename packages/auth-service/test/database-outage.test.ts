import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayPostgres, testDatabaseVariant, type ThrowawayPostgres } from '@core-pod/prisma-runtime/testing';
import { expect } from 'chai';
import { packageDir } from './support/auth-server';
import { client, listeningUrl, runEntry, type ServiceProcess, waitFor } from '@core-pod/service-test-harness';

const PASSWORD = 'correct horse battery';

// The PostgreSQL variant stops and restarts a cluster of its own under a running auth process.
if (testDatabaseVariant() === 'postgresql') {
  describe('PostgreSQL outage', function () {
    this.timeout(120_000);
    let pg: ThrowawayPostgres;
    let dataDir: string;
    let proc: ServiceProcess | undefined;
    let url: string;
    before(() => {
      pg = startThrowawayPostgres();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-outage-'));
    });
    after(() => {
      proc?.child.kill('SIGKILL');
      pg.remove();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('waits for the database at start instead of exiting, then migrates and serves', async () => {
      pg.pause();
      proc = runEntry(packageDir, 'main.ts', { POD_DATA_DIR: dataDir, AUTH_PORT: '0', AUTH_BCRYPT_COST: '10', AUTH_DATABASE_URL: pg.url });
      const started = proc;
      await waitFor(() => started.output().includes('retrying migrations'), 20_000, 'the retry log line');
      expect(started.child.exitCode).to.equal(null);
      pg.resume();
      await waitFor(() => listeningUrl(started, 'auth-service listening') !== undefined, 30_000, 'the listening log line');
      url = listeningUrl(started, 'auth-service listening') as string;
      expect((await client(url).get('/api/v1/auth/health')).status).to.equal(200);
    });

    it('answers 503 database_unavailable with Retry-After and fails health while PostgreSQL is down, then recovers by itself', async () => {
      const http = client(url);
      expect((await http.post('/api/v1/auth/register', { body: { email: 'before@example.com', password: PASSWORD } })).status).to.equal(201);
      pg.pause();
      try {
        const register = await http.post('/api/v1/auth/register', { body: { email: 'during@example.com', password: PASSWORD } });
        expect(register.status).to.equal(503);
        expect(register.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(register.headers.get('retry-after')).to.equal('5');
        expect(register.body).to.include({ code: 'database_unavailable', status: 503 });
        const login = await http.post('/api/v1/auth/login', { body: { email: 'before@example.com', password: PASSWORD } });
        expect(login.status).to.equal(503);
        expect(login.body.code).to.equal('database_unavailable');
        const health = await http.get('/api/v1/auth/health');
        expect(health.status).to.equal(503);
        expect(health.body.status).to.equal('fail');
        expect(proc?.child.exitCode).to.equal(null);
      } finally {
        pg.resume();
      }
      await waitFor(async () => (await http.get('/api/v1/auth/health')).status === 200, 30_000, 'health to pass again');
      expect((await http.post('/api/v1/auth/register', { body: { email: 'during@example.com', password: PASSWORD } })).status).to.equal(201);
      expect((await http.post('/api/v1/auth/login', { body: { email: 'before@example.com', password: PASSWORD } })).status).to.equal(200);
      proc?.child.kill('SIGTERM');
      expect(await proc?.exited).to.equal(0);
    });
  });
}
