// Test-only entry point (`@core-pod/prisma-runtime/testing`): throwaway PostgreSQL clusters and
// fresh migrated databases for the services' suites in their SQLite and PostgreSQL variants.
export { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';
export { createTestDatabase, testDatabaseVariant, testPostgresServer, withDatabaseName, type TestDatabase } from './test-databases';
export { mochaHooks } from './variant-banner';
