// `node dist/migrate.js`: applies the auth migrations to the configured database (idempotent);
// exits 0, or 1 with a clear message.
import path from 'node:path';
import { migrate, redactUrl, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { loadConfig } from './config';

async function run(): Promise<void> {
  const config = loadConfig();
  const url = resolveDatabaseUrl(config.databaseUrl, config.dataDir, 'auth.db');
  const { applied } = await migrate({ url, packageDir: path.resolve(__dirname, '..') });
  process.stdout.write(`auth-service: ${applied.length === 0 ? 'database up to date' : `applied ${applied.join(', ')}`} (${redactUrl(url)})\n`);
}

run().catch((err: unknown) => {
  process.stderr.write(`auth-service migrations failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
