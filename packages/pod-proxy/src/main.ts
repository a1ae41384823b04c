// Entry point (dist/main.js): read config, listen, tell PM2 we are ready, shut down gracefully.
import pino from 'pino';
import { loadConfig } from './config';
import { EdgeMetrics } from './metrics';
import { createProxy, type Proxy } from './proxy';

/** Runs the proxy as a process: listen, ready message, signals, last-resort error policy. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<Proxy> {
  const config = loadConfig(env);
  // Asynchronous, batched logging: one write per ~8 KB of access lines instead of one per request;
  // flushed on exit.
  const destination = pino.destination({ sync: false, minLength: 8 * 1024 });
  const logger = pino({ level: config.logLevel, base: { service: 'proxy', pid: process.pid } }, destination);
  // Last resort: an error no request handler contained means the process may be corrupt; log it and exit
  // so the supervisor starts a clean one (the hostile-request corpus asserts this is never reached).
  const die = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error, kind }, 'uncaught error outside any request: exiting');
    destination.flushSync();
    process.exit(1);
  };
  process.on('uncaughtException', die('uncaughtException'));
  process.on('unhandledRejection', die('unhandledRejection'));
  const proxy = createProxy(config, { logger, metrics: new EdgeMetrics({ defaultMetrics: true }) });
  await proxy.listen();
  process.send?.('ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    proxy.close().then(() => {
      logger.info('stopped');
      destination.flushSync();
      process.exit(0);
    }, (error: Error) => {
      logger.error({ err: error }, 'shutdown failed');
      destination.flushSync();
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    try {
      proxy.reloadTls();
    } catch (error) {
      logger.error({ err: error }, 'TLS reload failed; keeping the previous certificate');
    }
  });
  return proxy;
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`pod-proxy: ${error.message}\n`);
    process.exit(1);
  });
}
