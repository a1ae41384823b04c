// Loopback-only endpoints for user-service (bearer internal token): the revocation feed and user
// administration. Never under /api/v1, so the edge proxy cannot route to them.
import { requireInternalToken } from '@core-pod/http-service';
import { Router } from 'express';
import { authProblem } from '../error-codes';
import { parseBody, roleBody } from '../http/request-body';
import type { RevocationFeed } from '../revocation-feed';
import type { UserAdmin } from '../user-admin';

export interface InternalRoutesDeps {
  internalToken: string;
  feed: RevocationFeed;
  admin: UserAdmin;
}

function parseCursor(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw authProblem('validation_failed', { errors: [{ field: 'since', message: 'must be a non-negative integer cursor' }] });
  }
  return Number(raw);
}

export function internalRoutes({ internalToken, feed, admin }: InternalRoutesDeps): Router {
  const router = Router();
  router.use('/internal/v1', requireInternalToken(internalToken));

  router.get('/internal/v1/revocations', async (req, res) => {
    res.json(await feed.since(parseCursor(req.query.since)));
  });

  router.get('/internal/v1/users/:id', async (req, res) => {
    res.json(await admin.get(String(req.params.id)));
  });

  router.put('/internal/v1/users/:id/role', async (req, res) => {
    const { role } = parseBody(roleBody, req);
    res.json(await admin.setRole(String(req.params.id), role));
  });

  router.post('/internal/v1/users/:id/disable', async (req, res) => {
    res.json(await admin.setDisabled(String(req.params.id), true));
  });

  router.post('/internal/v1/users/:id/enable', async (req, res) => {
    res.json(await admin.setDisabled(String(req.params.id), false));
  });

  router.delete('/internal/v1/users/:id', async (req, res) => {
    await admin.remove(String(req.params.id));
    res.status(204).end();
  });

  return router;
}
