// The internal API auth calls over loopback (bearer internal token; never routed by the proxy):
// PUT /internal/v1/profiles/:id creates the profile of a user auth just registered, idempotently.
import { Router } from 'express';
import { requireInternalToken } from '@core-pod/http-service';
import { userProblem } from '../error-codes';
import { parseBody, profileSeed } from '../profiles/profile-fields';
import type { ProfileStore } from '../profiles/profile-store';
import { ownerView } from '../profiles/profile-views';

const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function internalRoutes({ internalToken, profiles }: { internalToken: string; profiles: ProfileStore }): Router {
  const router = Router();
  router.use(requireInternalToken(internalToken));
  router.put('/profiles/:id', async (req, res) => {
    const seed = parseBody(profileSeed, req.body);
    const id = req.params.id as string;
    // auth's ids are UUIDs; anything far from that shape is a caller bug, not a profile.
    if (!USER_ID.test(id)) throw userProblem('validation_failed', { errors: [{ field: 'id', message: 'must be 1–128 letters, digits, - or _' }] });
    const existed = (await profiles.find(id)) !== null;
    const profile = await profiles.upsertFromAuth({ id, email: seed.email, role: seed.role, ...(seed.createdAt ? { createdAt: new Date(seed.createdAt) } : {}) });
    res.status(existed ? 200 : 201).json(ownerView(profile));
  });
  return router;
}
