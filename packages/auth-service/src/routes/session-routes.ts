// Public session endpoints: refresh (rotation), logout of this or every session, list and revoke
// one's own sessions.
import { Router, type Request, type RequestHandler } from 'express';
import type { AuditLog } from '../audit-log';
import type { AuthMetrics } from '../auth-metrics';
import { authProblem } from '../error-codes';
import { claimsOf } from '../http/access-token-auth';
import { parseBody, refreshBody } from '../http/request-body';
import type { ClientContext, Sessions } from '../sessions';

export interface SessionRoutesDeps {
  sessions: Sessions;
  audit: AuditLog;
  metrics: AuthMetrics;
  client(req: Request): ClientContext;
  authenticated: RequestHandler;
}

export function sessionRoutes({ sessions, audit, metrics, client, authenticated }: SessionRoutesDeps): Router {
  const router = Router();

  router.post('/api/v1/auth/refresh', async (req, res) => {
    const body = parseBody(refreshBody, req);
    try {
      const tokens = await sessions.refresh(body.refreshToken, client(req));
      metrics.refreshes.inc({ result: 'success' });
      res.setHeader('Cache-Control', 'no-store');
      res.json(tokens);
    } catch (err) {
      metrics.refreshes.inc({ result: (err as { code?: string }).code ?? 'error' });
      throw err;
    }
  });

  router.post('/api/v1/auth/logout', authenticated, async (req, res) => {
    const { sub, sid } = claimsOf(res);
    await sessions.revokeOne(sub, sid, 'logout');
    await audit.record('logout', { userId: sub, ip: client(req).ip, detail: { sessionId: sid } });
    res.status(204).end();
  });

  router.post('/api/v1/auth/logout-all', authenticated, async (req, res) => {
    const { sub } = claimsOf(res);
    const revoked = await sessions.revokeAll(sub, 'logout_all');
    await audit.record('logout_all', { userId: sub, ip: client(req).ip, detail: { sessionsRevoked: revoked } });
    res.status(204).end();
  });

  router.get('/api/v1/auth/sessions', authenticated, async (_req, res) => {
    const { sub, sid } = claimsOf(res);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ sessions: await sessions.list(sub, sid) });
  });

  router.delete('/api/v1/auth/sessions/:id', authenticated, async (req, res) => {
    const { sub } = claimsOf(res);
    const id = String(req.params.id);
    // Someone else's session id answers exactly like an unknown one.
    if (!(await sessions.revokeOne(sub, id, 'session_revoked'))) throw authProblem('session_not_found');
    await audit.record('session_revoked', { userId: sub, ip: client(req).ip, detail: { sessionId: id } });
    res.status(204).end();
  });

  return router;
}
