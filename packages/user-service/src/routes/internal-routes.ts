// The internal API auth calls over loopback (bearer internal token; never routed by the proxy):
// PUT /internal/v1/profiles/:id creates the profile of a user auth just registered, idempotently.
import { Router } from 'express';
import { requireInternalToken } from '@core-pod/http-service';
import { parseBody, profileSeed } from '../profiles/profile-fields';
import type { ProfileStore } from '../profiles/profile-store';
import { ownerView } from '../profiles/profile-views';

export function internalRoutes({ internalToken, profiles }: { internalToken: string; profiles: ProfileStore }): Router {
  const router = Router();
  router.use(requireInternalToken(internalToken));
  router.put('/profiles/:id', async (req, res) => {
    const seed = parseBody(profileSeed, req.body);
    const id = req.params.id as string;
    const existed = (await profiles.find(id)) !== null;
    const profile = await profiles.upsertFromAuth({ id, email: seed.email, role: seed.role, ...(seed.createdAt ? { createdAt: new Date(seed.createdAt) } : {}) });
    res.status(existed ? 200 : 201).json(ownerView(profile));
  });
  return router;
}
