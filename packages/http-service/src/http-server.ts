// Listening and graceful shutdown: stop accepting, let in-flight requests finish within a
// deadline, then cut what remains; SIGTERM/SIGINT end the process with exit code 0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  host: string;
  port: number;
  logger?: Logger;
  /** How long in-flight requests get to finish on close. */
  shutdownTimeoutMs?: number;
}

export async function startServer(app: RequestListener, options: ServerOptions): Promise<RunningServer> {
  const server = createServer(app);
  // Longer than the proxy's idle reuse window, or pooled upstream sockets die mid-request (DESIGN §6).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () => (closing ??= closeGracefully(server, options.shutdownTimeoutMs ?? 8000)),
  };
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // Keep-alive sockets turn idle as their last response ends: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export interface ShutdownOptions {
  logger: Logger;
  /** Runs after the listener closed: release databases, worker pools, timers. */
  onClosed?: () => Promise<void> | void;
}

export function handleShutdownSignals(running: RunningServer, { logger, onClosed }: ShutdownOptions): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running
      .close()
      .then(() => onClosed?.())
      .then(
        () => {
          logger.info('stopped');
          logger.flush?.();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          logger.flush?.();
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
