// Typed readers for environment variables: a bad value fails at start with the variable's name.
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = NodeJS.ProcessEnv;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function envString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function envOptional(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function envInt(env: Env, name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `expected an integer, got "${value}"`);
  const n = Number(value);
  if (range.min !== undefined && n < range.min) throw new ConfigError(name, `must be >= ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new ConfigError(name, `must be <= ${range.max}, got ${n}`);
  return n;
}

export function envPort(env: Env, name: string, fallback: number): number {
  return envInt(env, name, fallback, { min: 0, max: 65535 });
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${value}"`);
}

export function envList(env: Env, name: string, fallback: string[]): string[] {
  const value = raw(env, name);
  return value === undefined ? fallback : value.split(',').map((s) => s.trim()).filter(Boolean);
}

export function envUrl(env: Env, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/$/, '');
}
