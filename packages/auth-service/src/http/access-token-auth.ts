// Bearer access-token authentication for the public routes: a valid signature and claims are not
// enough — the session must still be active in our own database (logout takes effect at once).
import type { RequestHandler, Response } from 'express';
import { authProblem } from '../error-codes';
import type { Sessions } from '../sessions';
import { type AccessClaims, type AccessTokens, InvalidTokenError } from '../tokens/access-token';

export function claimsOf(res: Response): AccessClaims {
  return res.locals.claims as AccessClaims;
}

export function requireAccessToken(tokens: AccessTokens, sessions: Sessions): RequestHandler {
  const challenge = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (match?.[1] === undefined) throw authProblem('invalid_token', { headers: { 'WWW-Authenticate': 'Bearer' } });
    let claims: AccessClaims;
    try {
      claims = tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw authProblem('invalid_token', { headers: challenge });
      throw err;
    }
    if (!(await sessions.isActive(claims.sid))) throw authProblem('session_revoked', { headers: challenge });
    res.locals.claims = claims;
    next();
  };
}
