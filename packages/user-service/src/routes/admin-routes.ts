// Admin-only routes: the listing (cursor pagination, prefix search, sort) and role / disable /
// enable, which go to auth first (the source of truth) and then update the mirror here.
import { Router, type RequestHandler } from 'express';
import { ProblemError } from '@core-pod/http-service';
import type { AuthClient, AuthUser } from '../auth/auth-client';
import { problemFromAuth } from '../auth/auth-problems';
import { userProblem } from '../error-codes';
import { parseBody, rolePatch } from '../profiles/profile-fields';
import { listQuerySchema, type createProfileListing } from '../profiles/profile-listing';
import type { ProfileStore } from '../profiles/profile-store';
import { adminView } from '../profiles/profile-views';

export interface AdminRoutesDeps {
  authenticated: RequestHandler;
  admin: RequestHandler;
  profiles: ProfileStore;
  list: ReturnType<typeof createProfileListing>;
  auth: Pick<AuthClient, 'setRole' | 'disable' | 'enable' | 'getUser'>;
  pageSize: { default: number; max: number };
}

export function adminRoutes({ authenticated, admin, profiles, list, auth, pageSize }: AdminRoutesDeps): Router {
  const router = Router();
  const querySchema = listQuerySchema(pageSize);

  /** Calls auth, then mirrors its answer into the profile. */
  async function change(id: string, call: () => Promise<AuthUser | undefined>) {
    const target = await profiles.find(id);
    if (target !== null && target.state !== 'active') throw userProblem('user_not_found');
    const answer = await call().catch((err: unknown) => {
      throw problemFromAuth(err);
    });
    const user = answer?.id === id ? answer : await auth.getUser(id).catch((err: unknown) => Promise.reject(problemFromAuth(err)));
    await profiles.ensure({ id, email: user.email, role: user.role, createdAt: new Date(user.createdAt) }).catch((err: unknown) => {
      // A deleted account is gone as far as admins are concerned; anything else is a real error.
      throw err instanceof ProblemError && err.code === 'profile_deleted' ? userProblem('user_not_found') : err;
    });
    const mirrored = await profiles.mirror(id, { role: user.role, disabled: user.disabled });
    if (mirrored === null) throw userProblem('user_not_found');
    return adminView(mirrored);
  }

  router.get('/', authenticated, admin, async (req, res) => {
    const query = parseBody(querySchema, req.query);
    const page = await list(query);
    res.json({ items: page.items.map(adminView), nextCursor: page.nextCursor });
  });

  router.patch('/:id/role', authenticated, admin, async (req, res) => {
    const { role } = parseBody(rolePatch, req.body);
    res.json(await change(req.params.id as string, () => auth.setRole(req.params.id as string, role)));
  });

  router.post('/:id/disable', authenticated, admin, async (req, res) => {
    res.json(await change(req.params.id as string, () => auth.disable(req.params.id as string)));
  });

  router.post('/:id/enable', authenticated, admin, async (req, res) => {
    res.json(await change(req.params.id as string, () => auth.enable(req.params.id as string)));
  });

  return router;
}
