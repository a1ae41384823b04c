// Picks the Prisma driver adapter for a database URL: better-sqlite3 for file:, pg for postgresql:.
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { providerOf, sqliteFilePath } from './database-url';

export interface PoolOptions {
  /** PostgreSQL only: maximum connections in this process's pool. */
  max?: number;
  /** PostgreSQL only: milliseconds to wait for a connection before failing. */
  connectionTimeoutMillis?: number;
  /** PostgreSQL only: milliseconds an idle connection stays open before the pool closes it. */
  idleTimeoutMillis?: number;
}

export function createAdapterFactory(url: string, pool: PoolOptions = {}): SqlMigrationAwareDriverAdapterFactory {
  if (providerOf(url) === 'sqlite') {
    mkdirSync(dirname(sqliteFilePath(url)), { recursive: true });
    // busy_timeout: concurrent writers (e.g. two refreshes) wait for the lock instead of failing.
    return new PrismaBetterSqlite3({ url, timeout: 5000 });
  }
  return new PrismaPg({
    connectionString: url,
    max: pool.max ?? 10,
    connectionTimeoutMillis: pool.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: pool.idleTimeoutMillis ?? 10_000,
  });
}
