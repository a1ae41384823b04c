import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { syncSchemas } from '../src';
import { testPostgresServer, withDatabaseName } from '../src/testing';

const models = `model Account {
  id    String @id
  email String @unique
}

model Note {
  id   Int    @id @default(autoincrement())
  body String
}
`;

function migrateInChild(url: string, packageDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import=tsx', join(__dirname, 'fixtures', 'migrate-once.ts'), url, packageDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('migrations on PostgreSQL', function () {
  this.timeout(120_000);
  let dir: string;
  let server: string;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    server = testPostgresServer();
    dir = mkdtempSync(join(tmpdir(), 'prisma-runtime-pg-'));
    cpSync(join(__dirname, 'fixtures', 'empty-service'), dir, { recursive: true });
    writeFileSync(join(dir, 'prisma', 'models.prisma'), models);
    await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (let round = 1; round <= 3; round++) {
    it(`two processes migrating one empty database at once end with one applied history and no error (round ${round})`, async () => {
      const name = `concurrent_migrate_${process.pid}_${round}`;
      await admin(`CREATE DATABASE ${name}`);
      try {
        const url = withDatabaseName(server, name);
        const [a, b] = await Promise.all([migrateInChild(url, dir), migrateInChild(url, dir)]);
        expect(a.code, a.stderr).to.equal(0);
        expect(b.code, b.stderr).to.equal(0);
        const applied = [...JSON.parse(a.stdout).applied, ...JSON.parse(b.stdout).applied];
        expect(applied).to.deep.equal(['20260102030405_init']);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const history = await client.query('SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at FROM _prisma_migrations');
          expect(history.rows).to.deep.equal([{ migration_name: '20260102030405_init', finished: true, rolled_back_at: null }]);
          await client.query(`INSERT INTO "Note" (body) VALUES ('schema is usable')`);
        } finally {
          await client.end();
        }
      } finally {
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    });
  }
});
