// Typed configuration of pod-health, parsed once from the environment at start.
// A bad value throws a ConfigError naming the variable, so a typo never becomes a silent default.
import path from 'node:path';

export interface ServiceTarget {
  /** PM2 app / service name, used as the `service` label. */
  name: string;
  /** Health endpoint probed for status and latency (null: not probed). */
  healthUrl: string | null;
  /** prom-client endpoint gathered and re-exposed with a `service` label (null: not gathered). */
  metricsUrl: string | null;
}

export interface Thresholds {
  memoryWarnRatio: number;
  memoryFailRatio: number;
  diskFreeWarnRatio: number;
  diskFreeFailRatio: number;
  restartsWarn: number;
  restartsFail: number;
  restartWindowSeconds: number;
  probeWarnMs: number;
}

export interface HealthConfig {
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
  pm2Home: string | null;
  supervisorStateFile: string;
  targets: ServiceTarget[];
  collectIntervalMs: number;
  probeTimeoutMs: number;
  thresholds: Thresholds;
  notifyWebhookUrl: string | null;
  notifyTimeoutMs: number;
  notifyRetries: number;
  notifyFormat: 'json' | 'slack';
  cgroupRoot: string;
  procRoot: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function noticeFormat(env: Env): 'json' | 'slack' {
  const raw = env.POD_NOTIFY_FORMAT?.trim() || 'json';
  if (raw !== 'json' && raw !== 'slack') throw new ConfigError('POD_NOTIFY_FORMAT', `expected "json" or "slack", got "${raw}"`);
  return raw;
}

function number(env: Env, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new ConfigError(name, `expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, fallback: string | null): string | null {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (raw.trim() === '' || raw.trim() === 'off') return null;
  try {
    const parsed = new URL(raw.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    return parsed.toString();
  } catch {
    throw new ConfigError(name, `expected an http(s) URL or "off", got "${raw}"`);
  }
}

/** Default targets from the pod contracts; each URL can be overridden or switched off ("off"). */
function targets(env: Env): ServiceTarget[] {
  const auth = `http://${text(env, 'AUTH_HOST', '127.0.0.1')}:${number(env, 'AUTH_PORT', 3001, 1, 65535)}`;
  const users = `http://${text(env, 'USERS_HOST', '127.0.0.1')}:${number(env, 'USERS_PORT', 3002, 1, 65535)}`;
  const proxyAdmin = `http://127.0.0.1:${number(env, 'PROXY_ADMIN_PORT', 3004, 1, 65535)}`;
  return [
    {
      name: 'auth',
      healthUrl: url(env, 'HEALTH_AUTH_HEALTH_URL', `${auth}/api/v1/auth/health`),
      metricsUrl: url(env, 'HEALTH_AUTH_METRICS_URL', `${auth}/metrics`),
    },
    {
      name: 'users',
      healthUrl: url(env, 'HEALTH_USERS_HEALTH_URL', `${users}/api/v1/users/health`),
      metricsUrl: url(env, 'HEALTH_USERS_METRICS_URL', `${users}/metrics`),
    },
    {
      name: 'proxy',
      healthUrl: url(env, 'HEALTH_PROXY_HEALTH_URL', `${proxyAdmin}/livez`),
      metricsUrl: url(env, 'HEALTH_PROXY_METRICS_URL', `${proxyAdmin}/metrics`),
    },
  ];
}

export function loadConfig(env: Env = process.env): HealthConfig {
  const dataDir = path.resolve(text(env, 'POD_DATA_DIR', './data'));
  const memoryWarnRatio = number(env, 'HEALTH_MEMORY_WARN_RATIO', 0.85, 0, 1, false);
  const memoryFailRatio = number(env, 'HEALTH_MEMORY_FAIL_RATIO', 0.95, 0, 1, false);
  if (memoryFailRatio < memoryWarnRatio) {
    throw new ConfigError('HEALTH_MEMORY_FAIL_RATIO', 'must be >= HEALTH_MEMORY_WARN_RATIO');
  }
  const diskFreeWarnRatio = number(env, 'HEALTH_DISK_FREE_WARN_RATIO', 0.1, 0, 1, false);
  const diskFreeFailRatio = number(env, 'HEALTH_DISK_FREE_FAIL_RATIO', 0.05, 0, 1, false);
  if (diskFreeFailRatio > diskFreeWarnRatio) {
    throw new ConfigError('HEALTH_DISK_FREE_FAIL_RATIO', 'must be <= HEALTH_DISK_FREE_WARN_RATIO');
  }
  const restartsWarn = number(env, 'HEALTH_RESTARTS_WARN', 3, 1, 1_000_000);
  const restartsFail = number(env, 'HEALTH_RESTARTS_FAIL', 10, 1, 1_000_000);
  if (restartsFail < restartsWarn) throw new ConfigError('HEALTH_RESTARTS_FAIL', 'must be >= HEALTH_RESTARTS_WARN');
  return {
    host: text(env, 'HEALTH_HOST', '127.0.0.1'),
    port: number(env, 'HEALTH_PORT', 3003, 0, 65535),
    dataDir,
    logLevel: text(env, 'LOG_LEVEL', 'info'),
    pm2Home: env.PM2_HOME?.trim() ? env.PM2_HOME.trim() : null,
    supervisorStateFile: text(env, 'HEALTH_SUPERVISOR_STATE_FILE', path.join(dataDir, 'run', 'pod-status.json')),
    targets: targets(env),
    collectIntervalMs: number(env, 'HEALTH_COLLECT_INTERVAL_MS', 5000, 100, 3_600_000),
    probeTimeoutMs: number(env, 'HEALTH_PROBE_TIMEOUT_MS', 2000, 50, 60_000),
    thresholds: {
      memoryWarnRatio,
      memoryFailRatio,
      diskFreeWarnRatio,
      diskFreeFailRatio,
      restartsWarn,
      restartsFail,
      restartWindowSeconds: number(env, 'HEALTH_RESTART_WINDOW_SECONDS', 300, 1, 86_400),
      probeWarnMs: number(env, 'HEALTH_PROBE_WARN_MS', 1000, 1, 60_000),
    },
    notifyWebhookUrl: url(env, 'POD_NOTIFY_WEBHOOK_URL', null),
    notifyTimeoutMs: number(env, 'POD_NOTIFY_TIMEOUT_MS', 3000, 50, 60_000),
    notifyRetries: number(env, 'POD_NOTIFY_RETRIES', 3, 0, 20),
    notifyFormat: noticeFormat(env),
    cgroupRoot: text(env, 'HEALTH_CGROUP_ROOT', '/sys/fs/cgroup'),
    procRoot: text(env, 'HEALTH_PROC_ROOT', '/proc'),
  };
}
