// Database outages: PostgreSQL stopped and restarted under a running user service (PostgreSQL
// variant, a cluster of the test's own), and a SQLite file locked by another process (SQLite
// variant). Requests that need the database get 503 database_unavailable, health fails, the
// service keeps running and recovers by itself.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startThrowawayPostgres, testDatabaseVariant, type ThrowawayPostgres } from '@core-pod/prisma-runtime/testing';
import { expect } from 'chai';
import { PACKAGE_DIR } from '../src/user-service';
import { freePort, startPod, type Pod } from './support/pod';
import { listeningUrl, runEntry, waitFor } from '@core-pod/service-test-harness';

function expectDatabaseUnavailable(res: { status: number; headers: Headers; body: { code?: string } }): void {
  expect(res.status).to.equal(503);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.headers.get('retry-after')).to.equal('5');
  expect(res.body.code).to.equal('database_unavailable');
}

if (testDatabaseVariant() === 'postgresql') {
  describe('PostgreSQL outage', function () {
    this.timeout(120_000);
    let pg: ThrowawayPostgres;
    before(() => {
      pg = startThrowawayPostgres();
    });
    after(() => pg.remove());

    it('waits for the database at start instead of exiting, then migrates and serves', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-outage-'));
      pg.pause();
      const proc = runEntry(PACKAGE_DIR, 'main.ts', {
        POD_DATA_DIR: dataDir,
        USERS_PORT: '0',
        USERS_DATABASE_URL: pg.url,
        AUTH_INTERNAL_URL: `http://127.0.0.1:${await freePort()}`,
        POD_INTERNAL_TOKEN: crypto.randomBytes(32).toString('base64url'),
      });
      try {
        await waitFor(() => proc.output().includes('retrying migrations'), 20_000, 'the retry log line');
        expect(proc.child.exitCode).to.equal(null);
        pg.resume();
        await waitFor(() => listeningUrl(proc, 'user service listening') !== undefined, 30_000, 'the listening log line');
        const health = await fetch(`${listeningUrl(proc, 'user service listening')}/api/v1/users/health`);
        // warn, not fail: the database answers, only auth (never started here) is away.
        expect(((await health.json()) as { status: string }).status).to.equal('warn');
        proc.child.kill('SIGTERM');
        expect(await proc.exited).to.equal(0);
      } finally {
        proc.child.kill('SIGKILL');
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('answers 503 database_unavailable and fails health while PostgreSQL is down, then recovers by itself', async () => {
      const pod = await startPod({ USERS_DATABASE_URL: pg.url });
      try {
        const alice = await pod.register('alice@example.com');
        expect((await pod.api.get('/api/v1/users/me', { token: alice.token })).status).to.equal(200);
        pg.pause();
        try {
          expectDatabaseUnavailable(await pod.api.get('/api/v1/users/me', { token: alice.token }));
          expectDatabaseUnavailable(await pod.api.patch('/api/v1/users/me', { token: alice.token, body: { bio: 'offline' } }));
          const health = await pod.api.get('/api/v1/users/health');
          expect(health.status).to.equal(503);
          expect(health.body.status).to.equal('fail');
        } finally {
          pg.resume();
        }
        await waitFor(async () => (await pod.api.get('/api/v1/users/health')).status === 200, 30_000, 'health to pass again');
        const patched = await pod.api.patch('/api/v1/users/me', { token: alice.token, body: { bio: 'back' } });
        expect(patched.status).to.equal(200);
        expect(patched.body.bio).to.equal('back');
      } finally {
        await pod.close();
      }
    });
  });
}

if (testDatabaseVariant() === 'sqlite') {
  describe('SQLite file locked by another process', function () {
    this.timeout(60_000);
    let pod: Pod;
    before(async () => {
      pod = await startPod();
    });
    after(() => pod.close());

    it('answers a write 503 database_unavailable after the busy timeout, and writes again once the lock is gone', async () => {
      const bob = await pod.register('bob@example.com');
      expect((await pod.api.get('/api/v1/users/me', { token: bob.token })).status).to.equal(200);
      const other = new Database(path.join(pod.usersDataDir, 'users.db'));
      other.exec('BEGIN EXCLUSIVE');
      try {
        expectDatabaseUnavailable(await pod.api.patch('/api/v1/users/me', { token: bob.token, body: { bio: 'locked out' } }));
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect((await pod.api.patch('/api/v1/users/me', { token: bob.token, body: { bio: 'unlocked' } })).status).to.equal(200);
    });
  });
}
