// GET /api/v1/users/health (application/health+json): fail (503) when the database does not
// answer; warn (200, degraded) when auth's keys or revocation feed are stale — still serving.
import { Router } from 'express';
import type { JwksStatus } from '../auth/jwks-cache';
import type { RevocationStatus } from '../auth/revocation-list';
import type { Database } from '../store/database';

type Status = 'pass' | 'warn' | 'fail';

export interface HealthDeps {
  db: Database;
  jwks: () => JwksStatus;
  revocations: () => RevocationStatus;
  /** The feed counts as stale after this long without a successful poll. */
  staleAfterMs: number;
  now?: () => number;
}

export function healthRoute({ db, jwks, revocations, staleAfterMs, now = Date.now }: HealthDeps): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const time = new Date(now()).toISOString();
    const started = performance.now();
    let database: Status = 'pass';
    let dbOutput: string | undefined;
    try {
      await db.$queryRawUnsafe('SELECT 1');
    } catch (err) {
      database = 'fail';
      dbOutput = (err as Error).message.slice(0, 200);
    }
    const dbMs = Math.round((performance.now() - started) * 100) / 100;
    const keys = jwks();
    const feed = revocations();
    const feedAge = feed.lastSyncAt === undefined ? undefined : now() - feed.lastSyncAt;
    const keysStatus: Status = keys.keys > 0 && keys.lastError === undefined ? 'pass' : 'warn';
    const feedStatus: Status = feed.lastError === undefined && feedAge !== undefined && feedAge <= staleAfterMs ? 'pass' : 'warn';
    const statuses = [database, keysStatus, feedStatus];
    const status: Status = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
    res
      .status(status === 'fail' ? 503 : 200)
      .type('application/health+json')
      .setHeader('Cache-Control', 'no-store')
      .send(
        JSON.stringify({
          status,
          serviceId: 'users',
          checks: {
            'database:responseTime': [{ componentType: 'datastore', observedValue: dbMs, observedUnit: 'ms', status: database, time, ...(dbOutput ? { output: dbOutput } : {}) }],
            'auth:jwks': [{ componentType: 'component', observedValue: keys.keys, observedUnit: 'keys', status: keysStatus, time, ...(keys.lastError ? { output: keys.lastError } : {}) }],
            'auth:revocationFeed': [
              { componentType: 'component', observedValue: feedAge ?? null, observedUnit: 'ms since last sync', status: feedStatus, time, ...(feed.lastError ? { output: feed.lastError } : {}) },
            ],
          },
        }),
      );
  });
  return router;
}
