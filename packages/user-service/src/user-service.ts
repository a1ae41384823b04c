// Wires the whole service from its configuration: database (migrated), auth client, key cache,
// revocation poller, deletion retry, app. main.ts and the tests both start it through here.
import path from 'node:path';
import type { Express } from 'express';
import { loadInternalToken, startServer, type Logger, type RunningServer } from '@core-pod/http-service';
import { migrateWhenReachable, redactUrl, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { createTokenVerifier } from './auth/access-token';
import { createAuthClient } from './auth/auth-client';
import { createJwksCache } from './auth/jwks-cache';
import { createRevocationList, type RevocationList } from './auth/revocation-list';
import { createApp } from './app';
import type { UsersConfig } from './config';
import { createUserMetrics } from './metrics';
import { createAccountDeletion } from './profiles/account-deletion';
import { openDatabase } from './store/open-database';

export const PACKAGE_DIR = path.resolve(__dirname, '..');

export interface UserServiceOptions {
  config: UsersConfig;
  logger: Logger;
  /** Defaults to loadInternalToken (env or the shared development file). */
  internalToken?: string;
  /** True when pod-supervisor already ran dist/migrate.js: no wasm schema engine at start. */
  migrationsApplied?: boolean;
}

export interface UserService {
  app: Express;
  /** The revocation poller (tests pause it to observe what happens before a revocation arrives). */
  revocations: RevocationList;
  server: RunningServer;
  url: string;
  /** Stops the background work, then the listener, then the database. */
  close(): Promise<void>;
}

export async function startUserService({ config, logger, internalToken, migrationsApplied = false }: UserServiceOptions): Promise<UserService> {
  const url = resolveDatabaseUrl(config.databaseUrl, config.dataDir, 'users.db');
  if (!migrationsApplied) {
    // An unreachable database at start is waited for (logged), not a crash-loop under PM2.
    const { applied } = await migrateWhenReachable({ url, packageDir: PACKAGE_DIR }, {
      onUnavailable: (err, delayMs) => logger.warn({ err, delayMs, database: redactUrl(url) }, 'database unavailable at start; retrying migrations'),
    });
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const db = openDatabase(url, config.databasePool);
  const token = internalToken ?? loadInternalToken({ dataDir: config.dataDir, production: config.production });
  const metrics = createUserMetrics();
  const auth = createAuthClient({ baseUrl: config.authInternalUrl, internalToken: token, timeoutMs: config.authTimeoutMs, observe: metrics.observeAuthCall });
  const jwks = createJwksCache({ auth, refetchIntervalMs: config.jwksRefetchIntervalMs, refreshEveryMs: config.jwksRefreshIntervalMs, logger });
  const revocations = createRevocationList({ auth, pollIntervalMs: config.revocationPollIntervalMs, logger });
  const deletion = createAccountDeletion({ db, auth, logger, retry: config.deletionRetry });
  metrics.observe({
    revokedSessions: () => revocations.status().revokedSessions,
    jwksKeys: () => jwks.status().keys,
    pendingDeletions: deletion.pendingCount,
  });
  const app = createApp({
    db,
    logger,
    auth,
    internalToken: token,
    verify: createTokenVerifier({ keys: jwks, issuer: config.jwt.issuer, audience: config.jwt.audience }),
    jwks,
    revocations,
    deletion,
    metrics,
    pageSize: config.pageSize,
    bodyLimit: config.bodyLimit,
    // Five seconds is the revocation promise (DESIGN §5.4); past it we say so.
    feedStaleAfterMs: Math.max(5000, config.revocationPollIntervalMs * 3),
  });

  // Auth may still be starting: the service serves anyway and catches up in the background.
  await jwks.refresh();
  jwks.start();
  revocations.start();
  deletion.start();
  const server = await startServer(app, { host: config.host, port: config.port, logger });
  logger.info({ url: server.url, authInternalUrl: config.authInternalUrl }, 'user service listening');

  let closing: Promise<void> | undefined;
  return {
    app,
    revocations,
    server,
    url: server.url,
    close: () =>
      (closing ??= (async () => {
        await Promise.all([jwks.stop(), revocations.stop(), deletion.stop()]);
        await server.close();
        auth.close();
        await db.$disconnect();
      })()),
  };
}
