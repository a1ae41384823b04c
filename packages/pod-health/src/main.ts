// Entry point of the pod's `health` process: load config, listen, tell PM2 we are ready, and stop
// gracefully on SIGTERM/SIGINT within the pod's deadline.
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { createHealthServer } from './health-server';

const STOP_DEADLINE_MS = 8000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pod-health: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'health' } });
  const health = createHealthServer(config, { logger });
  await health.start();
  process.send?.('ready');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error('graceful stop exceeded deadline');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    health.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`pod-health: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
