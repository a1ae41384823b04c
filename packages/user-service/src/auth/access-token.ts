// Verifies auth's ES256 access tokens locally (DESIGN §5.1–2): exactly one algorithm, a known kid,
// no key-carrying headers, exp/iat/nbf required, iss/aud checked, ≤ 30 s skew, lifetime ≤ 15 min.
import jwt from 'jsonwebtoken';
import type { JwksCache } from './jwks-cache';

export type Role = 'user' | 'admin';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  email: string;
  iat: number;
  nbf: number;
  exp: number;
}

export const CLOCK_SKEW_SECONDS = 30;
export const MAX_LIFETIME_SECONDS = 15 * 60;
// Headers that would let a token name its own verification key (RFC 8725 §3.10).
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'];

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifierOptions {
  keys: Pick<JwksCache, 'keyFor'>;
  issuer: string;
  audience: string;
  now?: () => number;
}

export function createTokenVerifier({ keys, issuer, audience, now = Date.now }: TokenVerifierOptions) {
  return async function verify(token: string): Promise<AccessClaims> {
    const decoded = jwt.decode(token, { complete: true });
    if (decoded === null || typeof decoded.payload === 'string') throw new InvalidTokenError('malformed token');
    const header = decoded.header as unknown as Record<string, unknown>;
    if (header.alg !== 'ES256') throw new InvalidTokenError('algorithm not allowed');
    for (const name of FORBIDDEN_HEADERS) {
      if (name in header) throw new InvalidTokenError(`header ${name} not allowed`);
    }
    if (typeof header.kid !== 'string' || header.kid === '') throw new InvalidTokenError('kid required');
    const key = await keys.keyFor(header.kid);
    if (key === undefined) throw new InvalidTokenError('unknown kid');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, key, {
        algorithms: ['ES256'],
        issuer,
        audience,
        clockTolerance: CLOCK_SKEW_SECONDS,
        clockTimestamp: Math.floor(now() / 1000),
      }) as jwt.JwtPayload;
    } catch (err) {
      throw new InvalidTokenError((err as Error).message);
    }
    return checkClaims(claims);
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

// jsonwebtoken accepts a token without exp or nbf and does not bound the lifetime: ours to enforce.
function checkClaims(claims: jwt.JwtPayload): AccessClaims {
  const { exp, iat, nbf, sub, sid, role, email } = claims;
  if (typeof exp !== 'number') throw new InvalidTokenError('exp required');
  if (typeof iat !== 'number') throw new InvalidTokenError('iat required');
  if (typeof nbf !== 'number') throw new InvalidTokenError('nbf required');
  if (exp - iat > MAX_LIFETIME_SECONDS) throw new InvalidTokenError('lifetime too long');
  if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('sub required');
  if (typeof sid !== 'string' || sid === '') throw new InvalidTokenError('sid required');
  if (role !== 'user' && role !== 'admin') throw new InvalidTokenError('role invalid');
  if (typeof email !== 'string') throw new InvalidTokenError('email required');
  return { sub, sid, role, email, iat, nbf, exp };
}
