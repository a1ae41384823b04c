// Entry point: configuration from the environment, migrations, listen; SIGTERM/SIGINT stop it
// gracefully (exit 0). Under PM2 with wait_ready it reports 'ready' once listening.
import { createLogger, handleShutdownSignals } from '@core-pod/http-service';
import { loadConfig } from './config';
import { startUserService } from './user-service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('users', { level: config.logLevel });
  const service = await startUserService({ config, logger });
  handleShutdownSignals(service.server, { logger, onClosed: () => service.close() });
  process.send?.('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`user-service failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
