// The auth service's configuration: every environment variable it reads, parsed and validated once
// at start. A bad value throws a ConfigError naming the variable.
import path from 'node:path';
import { ConfigError, envInt, envList, envOptional, envPort, envString, envUrl } from '@core-pod/http-service';

export { ConfigError };

export interface AuthConfig {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL connection pool of this process (ignored for SQLite). */
  databasePool: { max: number; connectionTimeoutMillis: number; idleTimeoutMillis: number };
  logLevel: string;
  jwt: {
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    privateKeyFile: string | undefined;
  };
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  retentionSeconds: number;
  bcrypt: { cost: number; poolSize: number };
  throttle: {
    ipMaxFailures: number;
    accountMaxFailures: number;
    windowSeconds: number;
    lockoutSeconds: number;
  };
  trustedProxies: string[];
  bootstrapAdminEmail: string | undefined;
  usersInternalUrl: string;
  profileNotifyTimeoutMs: number;
  bodyLimit: string;
}

type Env = NodeJS.ProcessEnv;

export function loadConfig(env: Env = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(envString(env, 'POD_DATA_DIR', './data'));
  const bootstrap = envOptional(env, 'AUTH_BOOTSTRAP_ADMIN_EMAIL');
  if (bootstrap !== undefined && !/^[^\s@]+@[^\s@]+$/.test(bootstrap)) {
    throw new ConfigError('AUTH_BOOTSTRAP_ADMIN_EMAIL', `not an email address: "${bootstrap}"`);
  }
  const logLevel = envString(env, 'LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${logLevel}"`);
  }
  const bodyLimit = envString(env, 'AUTH_BODY_LIMIT', '16kb');
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) throw new ConfigError('AUTH_BODY_LIMIT', `expected e.g. 16kb, got "${bodyLimit}"`);
  return {
    production,
    host: envString(env, 'AUTH_HOST', '127.0.0.1'),
    port: envPort(env, 'AUTH_PORT', 3001),
    dataDir,
    databaseUrl: envOptional(env, 'AUTH_DATABASE_URL'),
    databasePool: {
      max: envInt(env, 'AUTH_DATABASE_POOL_MAX', 10, { min: 1, max: 500 }),
      connectionTimeoutMillis: envInt(env, 'AUTH_DATABASE_POOL_TIMEOUT_MS', 5000, { min: 100, max: 120_000 }),
      idleTimeoutMillis: envInt(env, 'AUTH_DATABASE_POOL_IDLE_MS', 10_000, { min: 1000, max: 3_600_000 }),
    },
    logLevel,
    jwt: {
      issuer: envString(env, 'AUTH_JWT_ISSUER', 'core-pod-auth'),
      audience: envString(env, 'AUTH_JWT_AUDIENCE', 'core-pod'),
      // DESIGN §5.2: access tokens live at most 15 minutes.
      accessTokenTtlSeconds: envInt(env, 'AUTH_ACCESS_TOKEN_TTL_SECONDS', 600, { min: 30, max: 900 }),
      privateKeyFile: envOptional(env, 'AUTH_JWT_PRIVATE_KEY_FILE'),
    },
    // Ended sessions and revocation records are pruned after this (must outlive any access token).
    retentionSeconds: envInt(env, 'AUTH_RETENTION_SECONDS', 7 * 24 * 3600, { min: 3600, max: 10 * 365 * 24 * 3600 }),
    refreshReuseGraceSeconds: envInt(env, 'AUTH_REFRESH_REUSE_GRACE_SECONDS', 2, { min: 0, max: 60 }),
    refreshTokenTtlSeconds: envInt(env, 'AUTH_REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600, { min: 60, max: 365 * 24 * 3600 }),
    // DESIGN §5.6: cost below 10 is refused.
    bcrypt: {
      cost: envInt(env, 'AUTH_BCRYPT_COST', 12, { min: 10, max: 15 }),
      poolSize: envInt(env, 'AUTH_BCRYPT_POOL_SIZE', 2, { min: 1, max: 16 }),
    },
    throttle: {
      ipMaxFailures: envInt(env, 'AUTH_THROTTLE_IP_MAX_FAILURES', 20, { min: 1, max: 100000 }),
      accountMaxFailures: envInt(env, 'AUTH_THROTTLE_ACCOUNT_MAX_FAILURES', 5, { min: 1, max: 100000 }),
      windowSeconds: envInt(env, 'AUTH_THROTTLE_WINDOW_SECONDS', 900, { min: 1, max: 86400 }),
      lockoutSeconds: envInt(env, 'AUTH_THROTTLE_LOCKOUT_SECONDS', 900, { min: 1, max: 86400 }),
    },
    trustedProxies: envList(env, 'AUTH_TRUSTED_PROXIES', ['127.0.0.1', '::1']),
    bootstrapAdminEmail: bootstrap?.toLowerCase(),
    usersInternalUrl: envUrl(env, 'USERS_INTERNAL_URL', 'http://127.0.0.1:3002'),
    profileNotifyTimeoutMs: envInt(env, 'AUTH_PROFILE_NOTIFY_TIMEOUT_MS', 1000, { min: 50, max: 30000 }),
    bodyLimit,
  };
}
