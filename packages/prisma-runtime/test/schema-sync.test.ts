import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkSchemas, migrate, resolveDatabaseUrl, syncSchemas } from '../src';

const models = `model Account {
  id    String @id
  email String @unique
}
`;

describe('schema derivation and offline migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prisma-runtime-test-'));
    cpSync(join(__dirname, 'fixtures', 'empty-service'), dir, { recursive: true });
    mkdirSync(join(dir, 'prisma'), { recursive: true });
    writeFileSync(join(dir, 'prisma', 'models.prisma'), models);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives one schema and one first migration per provider from models.prisma', async () => {
    const written = await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
    expect(written).to.deep.equal(['sqlite/20260102030405_init', 'postgresql/20260102030405_init']);
    const pg = readFileSync(join(dir, 'prisma/postgresql/migrations/20260102030405_init/migration.sql'), 'utf8');
    expect(pg).to.contain('CONSTRAINT "Account_pkey" PRIMARY KEY');
    expect(readFileSync(join(dir, 'prisma/sqlite/schema.prisma'), 'utf8')).to.contain('provider = "sqlite"');
    expect(await checkSchemas(dir)).to.deep.equal([]);
  });

  it('reports drift when models.prisma changes without a sync, and a sync writes the next migration', async () => {
    await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
    appendFileSync(join(dir, 'prisma', 'models.prisma'), 'model Note {\n  id Int @id\n}\n');
    const problems = await checkSchemas(dir);
    expect(problems.join('\n')).to.match(/does not match models.prisma/);
    const written = await syncSchemas(dir, 'add_note', new Date('2026-01-03T00:00:00Z'));
    expect(written).to.have.length(2);
    const sql = readFileSync(join(dir, 'prisma/sqlite/migrations/20260103000000_add_note/migration.sql'), 'utf8');
    expect(sql).to.contain('CREATE TABLE "Note"').and.not.to.contain('"Account"');
    expect(await checkSchemas(dir)).to.deep.equal([]);
  });

  it('reports a hand-edited migration that no longer reaches the models', async () => {
    await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
    const file = join(dir, 'prisma/sqlite/migrations/20260102030405_init/migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/CREATE UNIQUE INDEX[^;]+;/, ''));
    expect((await checkSchemas(dir)).join('\n')).to.match(/migrations do not reach models.prisma/);
  });

  it('writes no migration when nothing changed', async () => {
    await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
    expect(await syncSchemas(dir, 'again')).to.deep.equal([]);
  });

  it('applies migrations to a SQLite file once, idempotently, in Prisma\'s history table', async () => {
    await syncSchemas(dir, 'init', new Date('2026-01-02T03:04:05Z'));
    const url = resolveDatabaseUrl(undefined, join(dir, 'data'), 'svc.db');
    expect(await migrate({ url, packageDir: dir })).to.deep.equal({ applied: ['20260102030405_init'] });
    expect(await migrate({ url, packageDir: dir })).to.deep.equal({ applied: [] });
    const db = new Database(join(dir, 'data', 'svc.db'));
    try {
      const tables = db.prepare("select name from sqlite_master where type='table' order by name").all();
      expect(tables.map((t) => (t as { name: string }).name)).to.include.members(['Account', '_prisma_migrations']);
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      db.close();
    }
    expect(readdirSync(join(dir, 'data'))).to.include('svc.db');
  });
});
