// Opens the users database: picks the generated Prisma client and driver adapter for the URL's
// provider (SQLite file by default, PostgreSQL when a postgresql:// URL is configured).
import { createAdapterFactory, providerOf, type PoolOptions } from '@core-pod/prisma-runtime';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client';
import type { Database } from './database';

export function openDatabase(url: string, pool: PoolOptions = {}): Database {
  const adapter = createAdapterFactory(url, pool);
  if (providerOf(url) === 'sqlite') return new SqliteClient({ adapter });
  // Same models, same generated API: only the provider-specific query compiler differs.
  return new PostgresClient({ adapter }) as unknown as Database;
}
