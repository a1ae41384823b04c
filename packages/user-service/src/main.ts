// Entry point: configuration from the environment, migrations, listen; SIGTERM/SIGINT stop it
// gracefully (exit 0). Under PM2 with wait_ready it reports 'ready' once listening.
import { createLogger, envBool, handleShutdownSignals } from '@core-pod/http-service';
import { loadConfig } from './config';
import { startUserService } from './user-service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('users', { level: config.logLevel });
  // pod-supervisor runs dist/migrate.js before it starts us and says so (contracts.md): skipping
  // the wasm schema engine saves 0.5–2 s and its memory on every (re)start.
  const migrationsApplied = envBool(process.env, 'POD_MIGRATIONS_APPLIED', false);
  const service = await startUserService({ config, logger, migrationsApplied });
  handleShutdownSignals(service.server, { logger, onClosed: () => service.close() });
  process.send?.('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`user-service failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
