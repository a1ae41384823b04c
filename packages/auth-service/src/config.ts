// The auth service's configuration: every environment variable it reads, parsed and validated once
// at start. A bad value throws a ConfigError naming the variable.
import path from 'node:path';

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface AuthConfig {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  jwt: {
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    privateKeyFile: string | undefined;
  };
  refreshTokenTtlSeconds: number;
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

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function stringVar(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function optionalVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function urlVar(env: Env, name: string, fallback: string): string {
  const value = stringVar(env, name, fallback);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(name, `not a valid URL: "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(stringVar(env, 'POD_DATA_DIR', './data'));
  const bootstrap = optionalVar(env, 'AUTH_BOOTSTRAP_ADMIN_EMAIL');
  if (bootstrap !== undefined && !/^[^\s@]+@[^\s@]+$/.test(bootstrap)) {
    throw new ConfigError('AUTH_BOOTSTRAP_ADMIN_EMAIL', `not an email address: "${bootstrap}"`);
  }
  const logLevel = stringVar(env, 'LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${logLevel}"`);
  }
  const bodyLimit = stringVar(env, 'AUTH_BODY_LIMIT', '16kb');
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) throw new ConfigError('AUTH_BODY_LIMIT', `expected e.g. 16kb, got "${bodyLimit}"`);
  return {
    production,
    host: stringVar(env, 'AUTH_HOST', '127.0.0.1'),
    port: intVar(env, 'AUTH_PORT', 3001, 0, 65535),
    dataDir,
    databaseUrl: optionalVar(env, 'AUTH_DATABASE_URL'),
    logLevel,
    jwt: {
      issuer: stringVar(env, 'AUTH_JWT_ISSUER', 'core-pod-auth'),
      audience: stringVar(env, 'AUTH_JWT_AUDIENCE', 'core-pod'),
      // DESIGN §5.2: access tokens live at most 15 minutes.
      accessTokenTtlSeconds: intVar(env, 'AUTH_ACCESS_TOKEN_TTL_SECONDS', 600, 30, 900),
      privateKeyFile: optionalVar(env, 'AUTH_JWT_PRIVATE_KEY_FILE'),
    },
    refreshTokenTtlSeconds: intVar(env, 'AUTH_REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
    // DESIGN §5.6: cost below 10 is refused.
    bcrypt: {
      cost: intVar(env, 'AUTH_BCRYPT_COST', 12, 10, 15),
      poolSize: intVar(env, 'AUTH_BCRYPT_POOL_SIZE', 2, 1, 16),
    },
    throttle: {
      ipMaxFailures: intVar(env, 'AUTH_THROTTLE_IP_MAX_FAILURES', 20, 1, 100000),
      accountMaxFailures: intVar(env, 'AUTH_THROTTLE_ACCOUNT_MAX_FAILURES', 5, 1, 100000),
      windowSeconds: intVar(env, 'AUTH_THROTTLE_WINDOW_SECONDS', 900, 1, 86400),
      lockoutSeconds: intVar(env, 'AUTH_THROTTLE_LOCKOUT_SECONDS', 900, 1, 86400),
    },
    trustedProxies: stringVar(env, 'AUTH_TRUSTED_PROXIES', '127.0.0.1,::1')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    bootstrapAdminEmail: bootstrap?.toLowerCase(),
    usersInternalUrl: urlVar(env, 'USERS_INTERNAL_URL', 'http://127.0.0.1:3002'),
    profileNotifyTimeoutMs: intVar(env, 'AUTH_PROFILE_NOTIFY_TIMEOUT_MS', 1000, 50, 30000),
    bodyLimit,
  };
}
