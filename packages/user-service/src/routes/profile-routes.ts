// Public profile fields of any user, for signed-in callers; deleted and deleting users are 404.
import { Router, type RequestHandler } from 'express';
import { userProblem } from '../error-codes';
import type { ProfileStore } from '../profiles/profile-store';
import { publicView } from '../profiles/profile-views';

export function profileRoutes({ authenticated, profiles }: { authenticated: RequestHandler; profiles: ProfileStore }): Router {
  const router = Router();
  router.get('/:id', authenticated, async (req, res) => {
    const profile = await profiles.find(req.params.id as string);
    if (profile === null || profile.state !== 'active') throw userProblem('user_not_found');
    res.json(publicView(profile));
  });
  return router;
}
