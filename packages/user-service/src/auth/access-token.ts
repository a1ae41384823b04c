// Verifies auth's ES256 access tokens locally with the pod's shared strict check
// (@core-pod/access-token) against the JWKS cache, which may refetch once for an unknown kid.
import { type AccessClaims, verifyAccessToken } from '@core-pod/access-token';
import type { JwksCache } from './jwks-cache';

export { InvalidTokenError, CLOCK_SKEW_SECONDS, MAX_LIFETIME_SECONDS, type AccessClaims, type Role } from '@core-pod/access-token';

export interface TokenVerifierOptions {
  keys: Pick<JwksCache, 'keyFor'>;
  issuer: string;
  audience: string;
  now?: () => number;
}

export function createTokenVerifier({ keys, issuer, audience, now = Date.now }: TokenVerifierOptions) {
  return (token: string): Promise<AccessClaims> => verifyAccessToken(token, (kid) => keys.keyFor(kid), { issuer, audience, now });
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
