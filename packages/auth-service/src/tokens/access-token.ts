// ES256 access tokens: signing with the current key of the ring; verification is the pod's shared
// strict check (@core-pod/access-token) against every key of the ring.
import { acceptedKid, type AccessClaims, type Role, verifyWithKey } from '@core-pod/access-token';
import jwt from 'jsonwebtoken';
import type { KeyRing } from './signing-keys';

export { InvalidTokenError, CLOCK_SKEW_SECONDS, MAX_LIFETIME_SECONDS, type AccessClaims, type Role } from '@core-pod/access-token';

export interface AccessTokenOptions {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Milliseconds since the epoch; injectable so tests can mint expired tokens. */
  now?: () => number;
}

export interface AccessTokens {
  sign(subject: { userId: string; sessionId: string; role: Role; email: string }): { token: string; expiresIn: number };
  verify(token: string): AccessClaims;
}

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const verifyOptions = { issuer: options.issuer, audience: options.audience, now };
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
      const kid = acceptedKid(token);
      return verifyWithKey(token, options.keys.byKid(kid)?.publicKey, verifyOptions);
    },
  };
}
