// `node dist/migrate.js`: applies the user-service migrations to the configured database
// (idempotent); exit 0, or non-zero with a clear message.
import { migrate, redactUrl, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { loadConfig } from './config';
import { PACKAGE_DIR } from './user-service';

async function run(): Promise<void> {
  const config = loadConfig();
  const url = resolveDatabaseUrl(config.databaseUrl, config.dataDir, 'users.db');
  const { applied } = await migrate({ url, packageDir: PACKAGE_DIR });
  process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : `up to date: ${redactUrl(url)}\n`);
}

run().catch((err: unknown) => {
  process.stderr.write(`user-service migrate failed: ${(err as Error).message}\n`);
  process.exit(1);
});
