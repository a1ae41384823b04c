// Builds the auth service's express app from its dependencies without listening; main.ts wires
// the real ones and tests build the same app on temp databases.
import { databaseUnavailableHandler } from '@core-pod/prisma-runtime';
import { jsonBody, metricsRouter, notFoundHandler, problemHandler, processMetricsRegistry, requestContext, type Logger } from '@core-pod/http-service';
import express, { type Express } from 'express';
import { Registry } from 'prom-client';
import { createAccounts } from './accounts';
import { createAuditLog } from './audit-log';
import { createAuthMetrics } from './auth-metrics';
import type { AuthConfig } from './config';
import { requireAccessToken } from './http/access-token-auth';
import { createClientIp } from './login/client-ip';
import { createLoginThrottle } from './login/login-throttle';
import { openApiDocument } from './openapi-document';
import type { PasswordHasher } from './passwords/hash-pool';
import { createRevocationFeed } from './revocation-feed';
import { accountRoutes } from './routes/account-routes';
import { discoveryRoutes } from './routes/discovery-routes';
import { internalRoutes } from './routes/internal-routes';
import { sessionRoutes } from './routes/session-routes';
import { createSessions } from './sessions';
import { authProblem } from './error-codes';
import type { Database, User } from './store/database';
import { createAccessTokens } from './tokens/access-token';
import type { KeyRing } from './tokens/signing-keys';
import { createUserAdmin } from './user-admin';

export interface AppDeps {
  config: AuthConfig;
  db: Database;
  keys: KeyRing;
  hasher: PasswordHasher;
  logger: Logger;
  internalToken: string;
  /** Called after a registration (main.ts: tell user-service). */
  onRegistered?: (user: User) => void;
  now?: () => number;
}

export interface AuthApp {
  app: Express;
  /** Computes the dummy hash up front so the first unknown-email login is not faster. */
  warmUp(): Promise<void>;
}

export function createApp(deps: AppDeps): AuthApp {
  const { config, db, keys, hasher, logger } = deps;
  const now = deps.now ?? Date.now;
  const audit = createAuditLog(db, (err) => logger.error({ err }, 'audit record failed'));
  const tokens = createAccessTokens({ keys, issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: config.jwt.accessTokenTtlSeconds, now });
  const sessions = createSessions({ db, tokens, audit, refreshTtlSeconds: config.refreshTokenTtlSeconds, reuseGraceSeconds: config.refreshReuseGraceSeconds, now });
  const accounts = createAccounts({
    db,
    hasher,
    bcryptCost: config.bcrypt.cost,
    sessions,
    throttle: createLoginThrottle(config.throttle, now),
    audit,
    bootstrapAdminEmail: config.bootstrapAdminEmail,
    onRegistered: deps.onRegistered ?? (() => {}),
    onBackgroundError: (err) => logger.error({ err }, 'background password rehash failed'),
  });
  const metrics = createAuthMetrics();
  const clientIp = createClientIp(config.trustedProxies);
  const client = (req: express.Request) => ({ ip: clientIp(req), userAgent: req.headers['user-agent'] });
  const authenticated = requireAccessToken(tokens, sessions);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext({ logger }));
  app.use(jsonBody({ limit: config.bodyLimit }));
  app.use(discoveryRoutes({ keys, db, openapi: openApiDocument }));
  app.use(accountRoutes({ accounts, db, metrics, client, authenticated }));
  app.use(sessionRoutes({ sessions, audit, metrics, client, authenticated }));
  app.use(internalRoutes({ internalToken: deps.internalToken, feed: createRevocationFeed(db, config.jwt.accessTokenTtlSeconds, now), admin: createUserAdmin(db, sessions, audit) }));
  app.use(metricsRouter(Registry.merge([processMetricsRegistry(), metrics.registry])));
  app.use(notFoundHandler());
  // A database outage is a 503 with Retry-After, not a 500: it ends, and the pool reconnects.
  app.use(databaseUnavailableHandler((headers) => authProblem('database_unavailable', { detail: 'The database cannot be reached right now; retry shortly.', headers })));
  app.use(problemHandler());
  return { app, warmUp: accounts.warmUp };
}
