// Library surface of auth-service: the app factory and the pieces tests, benches and the pod use.
export { createApp, type AppDeps, type AuthApp } from './app';
export { loadConfig, ConfigError, type AuthConfig } from './config';
export { AUTH_ERRORS, type AuthErrorCode } from './error-codes';
export { createAccessTokens, InvalidTokenError, type AccessClaims, type AccessTokens } from './tokens/access-token';
export { loadKeyRing, parseKeyRing, generateSigningKeyPem, type KeyRing } from './tokens/signing-keys';
export { createHashPool, createMainThreadHasher, type PasswordHasher } from './passwords/hash-pool';
export { openDatabase } from './store/open-database';
