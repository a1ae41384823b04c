// Unauthenticated service endpoints: JWKS, health (application/health+json), the OpenAPI document.
import { Router } from 'express';
import type { Database } from '../store/database';
import type { KeyRing } from '../tokens/signing-keys';

export interface DiscoveryRoutesDeps {
  keys: KeyRing;
  db: Database;
  openapi: object;
}

export function discoveryRoutes({ keys, db, openapi }: DiscoveryRoutesDeps): Router {
  const router = Router();

  router.get('/api/v1/auth/.well-known/jwks.json', (_req, res) => {
    // Short cache: verifiers must pick up a rotated key within minutes.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(keys.jwks());
  });

  router.get('/api/v1/auth/health', async (req, res) => {
    const started = process.hrtime.bigint();
    let status: 'pass' | 'fail' = 'pass';
    let output: string | undefined;
    try {
      await db.$queryRaw`SELECT 1`;
    } catch (err) {
      // The health route is public through the proxy: details go to the log, not the body.
      req.log.error({ err }, 'health check: database query failed');
      status = 'fail';
      output = 'database query failed';
    }
    const observedValue = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
    const check = { componentType: 'datastore', observedValue, observedUnit: 'ms', status, time: new Date().toISOString(), ...(output ? { output } : {}) };
    res.status(status === 'pass' ? 200 : 503).type('application/health+json').setHeader('Cache-Control', 'no-store');
    res.send(JSON.stringify({ status, serviceId: 'auth', checks: { 'database:responseTime': [check] } }));
  });

  router.get('/api/v1/auth/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  return router;
}
