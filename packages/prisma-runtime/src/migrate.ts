// Applies a service's committed migrations at start, offline, with Prisma's wasm schema engine.
// Records Prisma's standard `_prisma_migrations` table, so `prisma migrate deploy` stays usable.
import Database from 'better-sqlite3';
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
  const { engine, close } = await openSchemaEngine(schema, factory);
  try {
    const out = await engine.applyMigrations({ migrationsList: folder, filters: noSchemaFilter });
    return { applied: out.appliedMigrationNames };
  } finally {
    await close();
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
