// Strict ES256 access-token verification against a key set, shared by auth-service and user-service.
export {
  acceptedKid,
  verifyWithKey,
  verifyAccessToken,
  InvalidTokenError,
  CLOCK_SKEW_SECONDS,
  MAX_LIFETIME_SECONDS,
  type AccessClaims,
  type Role,
  type VerifyOptions,
} from './access-token-verification';
