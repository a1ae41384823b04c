// Prisma 7 plumbing shared by auth-service and user-service: URL → provider → driver adapter,
// offline migrations at start, and the per-provider schema derivation.
export { resolveDatabaseUrl, providerOf, redactUrl, type DatabaseProvider } from './database-url';
export { createAdapterFactory, type PoolOptions } from './adapter-factory';
export { migrate, MIGRATION_LOCK_KEY, type MigrateOptions } from './migrate';
export { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailableHandler, isDatabaseUnavailable } from './database-availability';
export { migrateWhenReachable, type WaitOptions } from './migrate-when-reachable';
export { deriveSchema, providers } from './schema-derivation';
export { syncSchemas, checkSchemas } from './schema-sync';
export { generateClients } from './client-generation';
