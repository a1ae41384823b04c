// Applies a service's committed migrations at start, offline, with Prisma's wasm schema engine.
// Records Prisma's standard `_prisma_migrations` table, so `prisma migrate deploy` stays usable.
import Database from 'better-sqlite3';
import pg from 'pg';
import { createAdapterFactory } from './adapter-factory';
import { providerOf, sqliteFilePath } from './database-url';
import { migrationsDir, readMigrationsFolder } from './migrations-folder';
import { noSchemaFilter, openSchemaEngine } from './wasm-schema-engine';

export interface MigrateOptions {
  /** Database URL as returned by resolveDatabaseUrl. */
  url: string;
  /** The service package's root (holds prisma/<provider>/migrations). */
  packageDir: string;
}

export async function migrate({ url, packageDir }: MigrateOptions): Promise<{ applied: string[] }> {
  const provider = providerOf(url);
  const folder = readMigrationsFolder(migrationsDir(packageDir, provider));
  const factory = createAdapterFactory(url);
  if (provider === 'sqlite') enableWal(sqliteFilePath(url));
  const schema = { path: 'schema.prisma', content: `datasource db {\n  provider = "${provider}"\n}\n` };
  const apply = async () => {
    const { engine, close } = await openSchemaEngine(schema, factory);
    try {
      const out = await engine.applyMigrations({ migrationsList: folder, filters: noSchemaFilter });
      return { applied: out.appliedMigrationNames };
    } finally {
      await close();
    }
  };
  // SQLite serialises writers itself; PostgreSQL needs the lock (see withMigrationLock).
  return provider === 'postgresql' ? withMigrationLock(url, apply) : apply();
}

// Arbitrary constant ("corepod" in ASCII): the advisory lock every pod takes around migrations.
export const MIGRATION_LOCK_KEY = 0x636f7265706f64;

/**
 * Two pods starting at once against one database must not both run a migration. The wasm engine
 * takes Prisma's own advisory lock (72707369) but gives up after 10 s, so a pod starting while
 * another runs a long migration would fail its start. This outer session-level lock, on a
 * connection of its own, waits without a deadline: the second pod's engine only starts once the
 * first is done, and finds everything applied. It is released when the connection closes, so a
 * migrator that dies cannot leave it held.
 */
async function withMigrationLock<T>(url: string, run: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // An error on the idle lock connection (server restart) surfaces through the queries below.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await run();
  } finally {
    await client.end().catch(() => {});
  }
}

/** WAL lets readers proceed during a write; the setting persists in the database file. */
function enableWal(path: string): void {
  const db = new Database(path, { timeout: 5000 });
  try {
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
