// ES256 access tokens: signing with the current key and strict verification (one algorithm, known
// kid, no key-carrying headers, exp/iss/aud/nbf required, ≤ 30 s skew, lifetime ≤ 15 min).
import jwt from 'jsonwebtoken';
import type { KeyRing } from './signing-keys';

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

export interface AccessTokenOptions {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Milliseconds since the epoch; injectable so tests can mint expired tokens. */
  now?: () => number;
}

export const CLOCK_SKEW_SECONDS = 30;
export const MAX_LIFETIME_SECONDS = 15 * 60;
// Headers that would let a token name its own verification key (RFC 8725 §3.10 / DESIGN §5.1).
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'];

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

export interface AccessTokens {
  sign(subject: { userId: string; sessionId: string; role: Role; email: string }): { token: string; expiresIn: number };
  verify(token: string): AccessClaims;
}

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  return {
    sign({ userId, sessionId, role, email }) {
      const iat = Math.floor(now() / 1000);
      const payload = {
        iss: options.issuer,
        aud: options.audience,
        sub: userId,
        sid: sessionId,
        role,
        email,
        iat,
        nbf: iat,
        exp: iat + options.ttlSeconds,
      };
      const token = jwt.sign(payload, options.keys.current.privateKey, {
        algorithm: 'ES256',
        keyid: options.keys.current.kid,
        header: { alg: 'ES256', typ: 'JWT', kid: options.keys.current.kid },
      });
      return { token, expiresIn: options.ttlSeconds };
    },

    verify(token) {
      const decoded = jwt.decode(token, { complete: true });
      if (decoded === null || typeof decoded.payload === 'string') throw new InvalidTokenError('malformed token');
      const header = decoded.header as unknown as Record<string, unknown>;
      if (header.alg !== 'ES256') throw new InvalidTokenError('algorithm not allowed');
      for (const name of FORBIDDEN_HEADERS) {
        if (name in header) throw new InvalidTokenError(`header ${name} not allowed`);
      }
      const key = typeof header.kid === 'string' ? options.keys.byKid(header.kid) : undefined;
      if (key === undefined) throw new InvalidTokenError('unknown kid');
      let claims: jwt.JwtPayload;
      try {
        claims = jwt.verify(token, key.publicKey, {
          algorithms: ['ES256'],
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: CLOCK_SKEW_SECONDS,
          clockTimestamp: Math.floor(now() / 1000),
        }) as jwt.JwtPayload;
      } catch (err) {
        throw new InvalidTokenError((err as Error).message);
      }
      return checkClaims(claims);
    },
  };
}

// jsonwebtoken accepts a token without exp and does not bound the lifetime: both are ours to enforce.
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
  return claims as AccessClaims;
}
