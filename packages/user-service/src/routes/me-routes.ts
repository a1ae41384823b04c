// The caller's own profile: GET, PATCH (validated fields) and DELETE /me (account deletion across
// both services: 204 when auth confirmed at once, 202 while the retry completes it later).
import { Router, type Request, type RequestHandler } from 'express';
import type { AccountDeletion } from '../profiles/account-deletion';
import { parseBody, profilePatch } from '../profiles/profile-fields';
import type { ProfileStore } from '../profiles/profile-store';
import { ownerView } from '../profiles/profile-views';
import { userProblem } from '../error-codes';

export interface MeRoutesDeps {
  authenticated: RequestHandler;
  profiles: ProfileStore;
  deletion: AccountDeletion;
}

export function meRoutes({ authenticated, profiles, deletion }: MeRoutesDeps): Router {
  const router = Router();
  const caller = (req: Request) => {
    if (req.caller === undefined) throw userProblem('authentication_required');
    return req.caller;
  };

  router.get('/me', authenticated, (req, res) => {
    res.json(ownerView(caller(req).profile));
  });

  router.patch('/me', authenticated, async (req, res) => {
    const patch = parseBody(profilePatch, req.body);
    res.json(ownerView(await profiles.update(caller(req).profile.id, patch)));
  });

  router.delete('/me', authenticated, async (req, res) => {
    const outcome = await deletion.request(caller(req).profile.id);
    if (outcome === 'completed') res.status(204).end();
    else res.status(202).json({ status: 'pending', detail: 'The account is deleted here; its credentials are removed as soon as auth answers.' });
  });

  return router;
}
