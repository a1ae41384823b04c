// Request authentication: a bearer access token verified locally, its session checked against the
// revocation list, and the caller's profile loaded (created on first use). Admin routes re-check
// the role from the database, refreshed from auth when the token and the mirror disagree.
import type { RequestHandler } from 'express';
import { ProblemError } from '@core-pod/http-service';
import { userProblem } from '../error-codes';
import type { ProfileStore } from '../profiles/profile-store';
import type { Profile } from '../store/database';
import type { UserMetrics } from '../metrics';
import type { AccessClaims, TokenVerifier } from './access-token';
import type { AuthClient } from './auth-client';
import type { RevocationList } from './revocation-list';

export interface Caller {
  claims: AccessClaims;
  profile: Profile;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="core-pod"' };

export interface AuthenticateDeps {
  verify: TokenVerifier;
  revocations: Pick<RevocationList, 'isRevoked'>;
  profiles: ProfileStore;
  metrics: UserMetrics;
}

export function authenticate({ verify, revocations, profiles, metrics }: AuthenticateDeps): RequestHandler {
  async function identify(header: string | undefined): Promise<Caller> {
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token === '') throw userProblem('authentication_required', { headers: CHALLENGE });
    let claims: AccessClaims;
    try {
      claims = await verify(token);
    } catch {
      // The reason stays in our logs at debug level only: it would help a forger.
      throw userProblem('invalid_token', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    }
    if (revocations.isRevoked(claims.sid)) throw userProblem('session_revoked', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    let profile: Profile;
    try {
      profile = await profiles.ensure({ id: claims.sub, email: claims.email, role: claims.role });
    } catch (err) {
      if (err instanceof ProblemError && err.code === 'profile_deleted') throw userProblem('account_deleted');
      throw err;
    }
    if (profile.state !== 'active') throw userProblem('account_deleted');
    if (profile.disabled) throw userProblem('account_disabled');
    return { claims, profile };
  }

  return (req, res, next) => {
    identify(req.headers.authorization).then(
      (caller) => {
        metrics.authentications.inc({ result: 'ok' });
        // Answers for a signed-in caller are personal: no shared cache may keep them.
        res.setHeader('Cache-Control', 'private, no-store');
        req.caller = caller;
        next();
      },
      (err: unknown) => {
        metrics.authentications.inc({ result: err instanceof ProblemError ? err.code : 'error' });
        next(err);
      },
    );
  };
}

export interface RequireAdminDeps {
  profiles: ProfileStore;
  auth: Pick<AuthClient, 'getUser'>;
}

/** DESIGN §5.8: the token's role claim alone never grants admin rights. */
export function requireAdmin({ profiles, auth }: RequireAdminDeps): RequestHandler {
  async function isAdmin(caller: Caller): Promise<boolean> {
    const mirrored = caller.profile.role;
    if (mirrored === caller.claims.role) return mirrored === 'admin';
    // Token and mirror disagree (a role changed since the token was issued): ask auth.
    try {
      const fresh = await auth.getUser(caller.profile.id);
      await profiles.mirror(fresh.id, { role: fresh.role, disabled: fresh.disabled });
      return fresh.role === 'admin' && !fresh.disabled;
    } catch {
      return mirrored === 'admin';
    }
  }

  return (req, _res, next) => {
    const caller = req.caller;
    if (caller === undefined) return next(userProblem('authentication_required'));
    isAdmin(caller).then(
      (ok) => next(ok ? undefined : userProblem('admin_required')),
      next,
    );
  };
}
