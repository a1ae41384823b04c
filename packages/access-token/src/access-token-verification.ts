// Strict verification of the pod's ES256 access tokens (DESIGN §5.1–2), shared by auth-service
// (its own tokens) and user-service (against auth's JWKS): exactly one algorithm, a known kid, no
// key-carrying headers, exp/iat/nbf required, iss/aud checked, ≤ 30 s skew, lifetime ≤ 15 min.
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type Role = 'user' | 'admin';

export interface AccessClaims {
  iss: string;
  aud: string;
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

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** Step 1, before any key lookup: the header is one we accept; returns the kid to look up. */
export function acceptedKid(token: string): string {
  const decoded = jwt.decode(token, { complete: true });
  if (decoded === null || typeof decoded.payload === 'string') throw new InvalidTokenError('malformed token');
  const header = decoded.header as unknown as Record<string, unknown>;
  if (header.alg !== 'ES256') throw new InvalidTokenError('algorithm not allowed');
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new InvalidTokenError(`header ${name} not allowed`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') throw new InvalidTokenError('kid required');
  return header.kid;
}

/** Step 2: signature with the kid's key (undefined → unknown kid), then every claim. */
export function verifyWithKey(token: string, key: KeyObject | undefined, { issuer, audience, now = Date.now }: VerifyOptions): AccessClaims {
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
}

/** Both steps, for a key set that may have to be fetched (user-service's JWKS cache). */
export async function verifyAccessToken(token: string, keyFor: (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>, options: VerifyOptions): Promise<AccessClaims> {
  const kid = acceptedKid(token);
  return verifyWithKey(token, await keyFor(kid), options);
}

// jsonwebtoken accepts a token without exp or nbf and does not bound the lifetime: ours to enforce.
function checkClaims(claims: jwt.JwtPayload): AccessClaims {
  const { iss, aud, exp, iat, nbf, sub, sid, role, email } = claims;
  if (typeof exp !== 'number') throw new InvalidTokenError('exp required');
  if (typeof iat !== 'number') throw new InvalidTokenError('iat required');
  if (typeof nbf !== 'number') throw new InvalidTokenError('nbf required');
  if (exp - iat > MAX_LIFETIME_SECONDS) throw new InvalidTokenError('lifetime too long');
  if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('sub required');
  if (typeof sid !== 'string' || sid === '') throw new InvalidTokenError('sid required');
  if (role !== 'user' && role !== 'admin') throw new InvalidTokenError('role invalid');
  if (typeof email !== 'string') throw new InvalidTokenError('email required');
  // jwt.verify already matched iss and aud against the configured strings.
  return { iss: iss as string, aud: aud as string, sub, sid, role, email, iat, nbf, exp };
}
