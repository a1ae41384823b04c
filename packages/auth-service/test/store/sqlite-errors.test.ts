import path from 'node:path';
import Database from 'better-sqlite3';
import { testDatabaseVariant } from '@core-pod/prisma-runtime/testing';
import { expect } from 'chai';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

const PASSWORD = 'correct horse battery';

// The SQLite variant: a full disk and a file held locked by another process are answered as a
// clean 503 problem, and the service carries on once the condition ends.
if (testDatabaseVariant() === 'sqlite') {
  describe('SQLite errors', function () {
    this.timeout(30_000);
    let server: AuthServer;
    let n = 0;
    before(async () => {
      server = await startAuthServer();
    });
    after(() => server.close());

    const register = () => client(server.url).post('/api/v1/auth/register', { body: { email: `sqlite${++n}@example.com`, password: PASSWORD } });

    it('answers 503 database_unavailable when the disk is full, and registers again once there is room', async () => {
      // max_page_count caps the file at its current size: the next page needed is "disk full".
      const [pages] = await server.db.$queryRawUnsafe<Array<{ page_count: bigint }>>('PRAGMA page_count');
      await server.db.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(pages?.page_count)}`);
      try {
        let res = await register();
        for (let i = 0; res.status === 201 && i < 200; i++) res = await register();
        expect(res.status).to.equal(503);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(res.headers.get('retry-after')).to.equal('5');
        expect(res.body.code).to.equal('database_unavailable');
      } finally {
        await server.db.$queryRawUnsafe('PRAGMA max_page_count = 1073741823');
      }
      expect((await register()).status).to.equal(201);
    });

    it('answers 503 database_unavailable when another process holds the write lock past the busy timeout', async () => {
      const other = new Database(path.join(server.dataDir, 'auth.db'));
      other.exec('BEGIN EXCLUSIVE');
      try {
        const res = await register();
        expect(res.status).to.equal(503);
        expect(res.body.code).to.equal('database_unavailable');
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect((await register()).status).to.equal(201);
    });
  });
}
