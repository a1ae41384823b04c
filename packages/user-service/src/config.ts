// The user service's configuration: every environment variable it reads, parsed and validated once
// at start. A bad value throws a ConfigError naming the variable.
import path from 'node:path';
import { ConfigError, envInt, envOptional, envPort, envString, envUrl } from '@core-pod/http-service';

export { ConfigError };

export interface UsersConfig {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL connection pool of this process (ignored for SQLite). */
  databasePool: { max: number; connectionTimeoutMillis: number; idleTimeoutMillis: number };
  logLevel: string;
  authInternalUrl: string;
  /** Timeout of every call to auth's internal API and JWKS. */
  authTimeoutMs: number;
  jwt: { issuer: string; audience: string };
  jwksRefetchIntervalMs: number;
  jwksRefreshIntervalMs: number;
  revocationPollIntervalMs: number;
  deletionRetry: { baseDelayMs: number; maxDelayMs: number };
  pageSize: { default: number; max: number };
  bodyLimit: string;
}

type Env = NodeJS.ProcessEnv;

export function loadConfig(env: Env = process.env): UsersConfig {
  const logLevel = envString(env, 'LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${logLevel}"`);
  }
  const bodyLimit = envString(env, 'USERS_BODY_LIMIT', '16kb');
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) throw new ConfigError('USERS_BODY_LIMIT', `expected e.g. 16kb, got "${bodyLimit}"`);
  const maxPage = envInt(env, 'USERS_PAGE_SIZE_MAX', 100, { min: 1, max: 1000 });
  const baseDelayMs = envInt(env, 'USERS_DELETION_RETRY_BASE_MS', 1000, { min: 10, max: 3_600_000 });
  return {
    production: env.NODE_ENV === 'production',
    host: envString(env, 'USERS_HOST', '127.0.0.1'),
    port: envPort(env, 'USERS_PORT', 3002),
    dataDir: path.resolve(envString(env, 'POD_DATA_DIR', './data')),
    databaseUrl: envOptional(env, 'USERS_DATABASE_URL'),
    databasePool: {
      max: envInt(env, 'USERS_DATABASE_POOL_MAX', 10, { min: 1, max: 500 }),
      connectionTimeoutMillis: envInt(env, 'USERS_DATABASE_POOL_TIMEOUT_MS', 5000, { min: 100, max: 120_000 }),
      idleTimeoutMillis: envInt(env, 'USERS_DATABASE_POOL_IDLE_MS', 10_000, { min: 1000, max: 3_600_000 }),
    },
    logLevel,
    authInternalUrl: envUrl(env, 'AUTH_INTERNAL_URL', 'http://127.0.0.1:3001'),
    authTimeoutMs: envInt(env, 'USERS_AUTH_TIMEOUT_MS', 2000, { min: 50, max: 60_000 }),
    // Same variables as auth by default, so one setting configures both sides of the token.
    jwt: {
      issuer: envOptional(env, 'USERS_JWT_ISSUER') ?? envString(env, 'AUTH_JWT_ISSUER', 'core-pod-auth'),
      audience: envOptional(env, 'USERS_JWT_AUDIENCE') ?? envString(env, 'AUTH_JWT_AUDIENCE', 'core-pod'),
    },
    jwksRefetchIntervalMs: envInt(env, 'USERS_JWKS_REFETCH_INTERVAL_MS', 10_000, { min: 100, max: 3_600_000 }),
    // How soon a key auth stopped publishing stops being trusted when no unknown kid forces a refetch.
    jwksRefreshIntervalMs: envInt(env, 'USERS_JWKS_REFRESH_INTERVAL_MS', 300_000, { min: 1000, max: 86_400_000 }),
    // DESIGN §5.4: a revoked session must be rejected within 5 s, so the poll interval is capped.
    revocationPollIntervalMs: envInt(env, 'USERS_REVOCATION_POLL_INTERVAL_MS', 1000, { min: 50, max: 4000 }),
    deletionRetry: {
      baseDelayMs,
      maxDelayMs: envInt(env, 'USERS_DELETION_RETRY_MAX_MS', 300_000, { min: baseDelayMs, max: 86_400_000 }),
    },
    pageSize: { default: Math.min(20, maxPage), max: maxPage },
    bodyLimit,
  };
}
