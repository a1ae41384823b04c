// Builds the user service's express app from its dependencies without listening: public routes
// under /api/v1/users, the internal hook under /internal/v1, /metrics, problem+json errors.
import { databaseUnavailableHandler } from '@core-pod/prisma-runtime';
import express, { type Express } from 'express';
import { jsonBody, metricsRouter, notFoundHandler, problemHandler, requestContext, type Logger } from '@core-pod/http-service';
import type { TokenVerifier } from './auth/access-token';
import type { AuthClient } from './auth/auth-client';
import { authenticate, requireAdmin } from './auth/authenticate';
import type { JwksCache } from './auth/jwks-cache';
import type { RevocationList } from './auth/revocation-list';
import type { UserMetrics } from './metrics';
import { openApiDocument } from './openapi/openapi-document';
import type { AccountDeletion } from './profiles/account-deletion';
import { createProfileListing } from './profiles/profile-listing';
import { createProfileStore } from './profiles/profile-store';
import { adminRoutes } from './routes/admin-routes';
import { healthRoute } from './routes/health-route';
import { internalRoutes } from './routes/internal-routes';
import { meRoutes } from './routes/me-routes';
import { profileRoutes } from './routes/profile-routes';
import { userProblem } from './error-codes';
import type { Database } from './store/database';

export const API_PREFIX = '/api/v1/users';
export const INTERNAL_PREFIX = '/internal/v1';

export interface AppDeps {
  db: Database;
  logger: Logger;
  auth: AuthClient;
  internalToken: string;
  verify: TokenVerifier;
  jwks: JwksCache;
  revocations: RevocationList;
  deletion: AccountDeletion;
  metrics: UserMetrics;
  pageSize: { default: number; max: number };
  bodyLimit: string;
  /** Health turns warn when the revocation feed has not synced for this long. */
  feedStaleAfterMs: number;
}

export function createApp(deps: AppDeps): Express {
  const { db, logger, auth, metrics } = deps;
  const profiles = createProfileStore(db);
  const authenticated = authenticate({ verify: deps.verify, revocations: deps.revocations, profiles, metrics });
  const admin = requireAdmin({ profiles, auth });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext({ logger }));
  app.use(jsonBody({ limit: deps.bodyLimit }));

  app.use(metricsRouter(metrics.scrapeRegistry()));
  app.use(INTERNAL_PREFIX, internalRoutes({ internalToken: deps.internalToken, profiles }));

  // Fixed paths before /:id, so "me", "health" and "openapi.json" are never read as user ids.
  app.use(API_PREFIX, healthRoute({ db, jwks: deps.jwks.status, revocations: deps.revocations.status, staleAfterMs: deps.feedStaleAfterMs }));
  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(API_PREFIX, meRoutes({ authenticated, profiles, deletion: deps.deletion }));
  app.use(API_PREFIX, adminRoutes({ authenticated, admin, profiles, list: createProfileListing(db), auth, pageSize: deps.pageSize }));
  app.use(API_PREFIX, profileRoutes({ authenticated, profiles }));

  app.use(notFoundHandler());
  // A database outage is a 503 with Retry-After, not a 500: it ends, and the pool reconnects.
  app.use(databaseUnavailableHandler((headers) => userProblem('database_unavailable', { detail: 'The database cannot be reached right now; retry shortly.', headers })));
  app.use(problemHandler());
  return app;
}
