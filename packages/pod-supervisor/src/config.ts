// The supervisor's configuration, read from the environment once at start; a bad value fails
// with a message naming the variable.
import fs from 'node:fs';
import path from 'node:path';

export interface SupervisorConfig {
  dataDir: string;
  pm2Home: string;
  logFile: string;
  logMaxBytes: number;
  logMaxFiles: number;
  /** What is copied to stdout: every line, only the supervisor's own, or nothing. */
  logStdout: 'all' | 'supervisor' | 'none';
  logLevel: string;
  notifyWebhookUrl: string | null;
  notifyFormat: 'json' | 'slack';
  notifyTimeoutMs: number;
  notifySettleMs: number;
  exitOnCriticalFatal: boolean;
  stopDeadlineMs: number;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1/0 or true/false, got "${raw}"`);
}

/** Docker and Kubernetes both leave a trace; there every log line also goes to stdout. */
function inContainer(env: Env): boolean {
  return env.KUBERNETES_SERVICE_HOST !== undefined || env.container !== undefined || fs.existsSync('/.dockerenv');
}

export function loadConfig(env: Env = process.env): SupervisorConfig {
  const dataDir = path.resolve(env.POD_DATA_DIR || './data');
  const webhook = env.POD_NOTIFY_WEBHOOK_URL || null;
  if (webhook !== null && !/^https?:\/\//.test(webhook)) throw new ConfigError(`POD_NOTIFY_WEBHOOK_URL must be an http(s) URL, got "${webhook}"`);
  const format = env.POD_NOTIFY_FORMAT || 'json';
  if (format !== 'json' && format !== 'slack') throw new ConfigError(`POD_NOTIFY_FORMAT must be "json" or "slack", got "${format}"`);
  const level = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw new ConfigError(`LOG_LEVEL is not a pino level: "${level}"`);
  return {
    dataDir,
    pm2Home: path.resolve(env.POD_PM2_HOME || env.PM2_HOME || path.join(dataDir, 'pm2')),
    logFile: path.join(dataDir, 'logs', 'pod.log'),
    logMaxBytes: integer(env, 'POD_LOG_MAX_BYTES', 10 * 1024 * 1024, 1024),
    logMaxFiles: integer(env, 'POD_LOG_MAX_FILES', 5, 0),
    // Unset outside a container: the foreground `start` still prints its own lifecycle lines.
    logStdout: env.POD_LOG_STDOUT === undefined || env.POD_LOG_STDOUT === '' ? (inContainer(env) ? 'all' : 'supervisor') : flag(env, 'POD_LOG_STDOUT', false) ? 'all' : 'none',
    logLevel: level,
    notifyWebhookUrl: webhook,
    notifyFormat: format,
    notifyTimeoutMs: integer(env, 'POD_NOTIFY_TIMEOUT_MS', 3000, 100),
    notifySettleMs: integer(env, 'POD_NOTIFY_SETTLE_MS', 3000, 0),
    exitOnCriticalFatal: flag(env, 'POD_EXIT_ON_FATAL', true),
    stopDeadlineMs: integer(env, 'POD_STOP_DEADLINE_MS', 9000, 100),
  };
}
