// Public account endpoints: register, login, who am I, password change.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { type Accounts, publicUser } from '../accounts';
import type { AuthMetrics } from '../auth-metrics';
import { authProblem } from '../error-codes';
import { claimsOf } from '../http/access-token-auth';
import { loginBody, parseBody, passwordChangeBody, registerBody } from '../http/request-body';
import type { ClientContext } from '../sessions';
import type { Database } from '../store/database';

export interface AccountRoutesDeps {
  accounts: Accounts;
  db: Database;
  metrics: AuthMetrics;
  client(req: Request): ClientContext;
  authenticated: RequestHandler;
}

const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

export function accountRoutes({ accounts, db, metrics, client, authenticated }: AccountRoutesDeps): Router {
  const router = Router();

  router.post('/api/v1/auth/register', async (req, res) => {
    const body = parseBody(registerBody, req);
    const { user, tokens } = await accounts.register(body.email, body.password, client(req));
    metrics.registrations.inc();
    noStore(res);
    res.status(201).json({ user: publicUser(user), ...tokens });
  });

  router.post('/api/v1/auth/login', async (req, res) => {
    const body = parseBody(loginBody, req);
    try {
      const { user, tokens } = await accounts.login(body.email, body.password, client(req));
      metrics.logins.inc({ result: 'success' });
      noStore(res);
      res.json({ user: publicUser(user), ...tokens });
    } catch (err) {
      metrics.logins.inc({ result: (err as { code?: string }).code ?? 'error' });
      throw err;
    }
  });

  router.get('/api/v1/auth/me', authenticated, async (_req, res) => {
    const claims = claimsOf(res);
    const user = await db.user.findUnique({ where: { id: claims.sub } });
    if (user === null) throw authProblem('invalid_token');
    noStore(res);
    res.json({ ...publicUser(user), sessionId: claims.sid });
  });

  router.post('/api/v1/auth/password', authenticated, async (req, res) => {
    const body = parseBody(passwordChangeBody, req);
    const claims = claimsOf(res);
    await accounts.changePassword(claims.sub, claims.sid, body.currentPassword, body.newPassword, client(req));
    res.status(204).end();
  });

  return router;
}
