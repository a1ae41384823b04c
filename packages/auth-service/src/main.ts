// Entry point: parse config, apply migrations, wire the real dependencies, listen, and stop
// gracefully on SIGTERM/SIGINT. Signals readiness to PM2 once listening.
import path from 'node:path';
import { createLogger, envBool, handleShutdownSignals, loadInternalToken, startServer } from '@core-pod/http-service';
import { migrateWhenReachable, redactUrl, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { createApp } from './app';
import { loadConfig } from './config';
import { createHashPool } from './passwords/hash-pool';
import { createProfileNotifier } from './profile-notifier';
import { openDatabase } from './store/open-database';
import { pruneExpired } from './store/retention';
import { loadKeyRing } from './tokens/signing-keys';

const packageDir = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('auth', { level: config.logLevel });
  const url = resolveDatabaseUrl(config.databaseUrl, config.dataDir, 'auth.db');
  const keys = loadKeyRing({ privateKeyFile: config.jwt.privateKeyFile, dataDir: config.dataDir, production: config.production });
  const internalToken = loadInternalToken({ dataDir: config.dataDir, production: config.production });
  // pod-supervisor runs dist/migrate.js before it starts us and says so: skipping the wasm
  // schema engine here saves 0.5–2 s and its memory on every (re)start (contracts.md).
  if (!envBool(process.env, 'POD_MIGRATIONS_APPLIED', false)) {
    const { applied } = await migrateWhenReachable({ url, packageDir }, {
      onUnavailable: (err, delayMs) => logger.warn({ err, delayMs, database: redactUrl(url) }, 'database unavailable at start; retrying migrations'),
    });
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }

  const db = openDatabase(url, config.databasePool);
  const hasher = createHashPool(config.bcrypt.poolSize);
  const notifyProfile = createProfileNotifier({ usersInternalUrl: config.usersInternalUrl, internalToken, timeoutMs: config.profileNotifyTimeoutMs, logger });
  const { app, warmUp } = createApp({ config, db, keys, hasher, logger, internalToken, onRegistered: notifyProfile });
  // The dummy hash (a cost-12 bcrypt, ~0.3 s) is computed on a worker while we start listening:
  // a login for an unknown email that arrives first awaits the same hash, so it is never faster.
  // (A stop within the first second cancels it: that is expected, hence only a warning.)
  warmUp().catch((err: unknown) => logger.warn({ err }, 'dummy password hash not computed'));

  const prune = () =>
    pruneExpired(db, { keepSeconds: config.retentionSeconds, now: Date.now }).then(
      (pruned) => logger.info({ pruned }, 'pruned ended sessions'),
      (err: unknown) => logger.error({ err }, 'pruning ended sessions failed'),
    );
  void prune();
  const pruning = setInterval(prune, 3600_000);
  pruning.unref();

  const running = await startServer(app, { host: config.host, port: config.port, logger });
  handleShutdownSignals(running, {
    logger,
    onClosed: async () => {
      clearInterval(pruning);
      await hasher.close();
      await db.$disconnect();
    },
  });
  logger.info({ url: running.url, kid: keys.current.kid, keys: keys.all.length }, 'auth-service listening');
  process.send?.('ready');
}

main().catch((err: unknown) => {
  // Config and key errors name the variable; print them plainly so operators see them first.
  process.stderr.write(`auth-service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
