// The proxy's whole configuration, read once from the environment and validated;
// a bad value throws an error naming the variable.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface RouteConfig {
  /** Name used in logs, metrics and rate-limit policies ("auth", "users"). */
  name: string;
  /** Path prefix matched after normalisation, without trailing slash ("/api/v1/auth"). */
  prefix: string;
  /** Upstream base URL ("http://127.0.0.1:3001"); the full request path is forwarded. */
  target: string;
  /** Path probed on the upstream for the proxy's own health view. */
  healthPath: string;
  /** Token-bucket refill rate per client IP, requests per second. */
  ratePerSecond: number;
  /** Token-bucket capacity per client IP. */
  burst: number;
  /** Largest request body accepted, bytes. */
  bodyLimitBytes: number;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  port: number;
  /** Answer plain-HTTP requests with a 308 to HTTPS. */
  redirectHttp: boolean;
  /** Port named in the redirect's Location (the port clients reach, e.g. 443 behind a port mapping). */
  publicPort: number;
  /** Strict-Transport-Security max-age on HTTPS responses; 0 disables it. */
  hstsMaxAgeSeconds: number;
}

/** Shared rate-limit state in Redis (PROXY_REDIS_URL); null means each proxy process limits on its own. */
export interface RedisConfig {
  /** redis:// or rediss:// URL, may carry credentials: never log it. */
  url: string;
  /** Prefix of every bucket key, so several fleets can share one Redis. */
  keyPrefix: string;
  /** Wait for Redis per request before deciding with the local bucket alone. */
  timeoutMs: number;
}

export interface ProxyConfig {
  host: string;
  port: number;
  adminHost: string;
  adminPort: number;
  routes: RouteConfig[];
  tls: TlsConfig | null;
  /** Socket addresses or CIDR ranges whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  /** IPv6 clients are one client per prefix of this length (rate limits, in-flight and connection caps). */
  ipv6PrefixBits: number;
  /** Requests one client may have in flight at once (beyond: 429 too_many_in_flight). */
  clientMaxInFlight: number;
  /** Open connections one client address may hold (beyond: 429 too_many_connections); 0 = no cap. */
  maxConnectionsPerIp: number;
  /** A request body may take this long, plus 1 s per bodyMinRate bytes received (mod_reqtimeout's rule). */
  bodyTimeoutMs: number;
  /** Bytes per second a body must average after the grace period; 0 = only the grace period. */
  bodyMinRate: number;
  /** Longest wait for a pooled upstream socket when the pool is full (beyond: 503 upstream_busy). */
  upstreamQueueTimeoutMs: number;
  /** Token bucket per client for the edge's own /health, /status and /metrics. */
  edgeRatePerSecond: number;
  edgeBurst: number;
  /** How long the edge reuses pod-health's /health and /status answer (≤ 1 s). */
  healthCacheMs: number;
  upstreamTimeoutMs: number;
  upstreamMaxSockets: number;
  upstreamKeepAliveMs: number;
  /** Retry-After seconds on 503 answers. */
  retryAfterSeconds: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  allowedMethods: string[];
  rateLimitMaxBuckets: number;
  rateLimitSweepMs: number;
  redis: RedisConfig | null;
  healthUrl: string;
  healthTimeoutMs: number;
  metricsToken: string | null;
  metricsAllow: string[];
  shutdownTimeoutMs: number;
  logLevel: string;
}

type Env = Record<string, string | undefined>;

function fail(name: string, value: string, why: string): never {
  throw new Error(`invalid ${name}=${JSON.stringify(value)}: ${why}`);
}

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) fail(name, raw, 'expected a non-negative integer');
  const value = Number(raw.trim());
  if (value < min || value > max) fail(name, raw, `expected an integer between ${min} and ${max}`);
  return value;
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value <= 0) fail(name, raw, 'expected a positive number');
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return fail(name, raw, 'expected true or false');
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** Addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`); anything else names the variable. */
function addressList(env: Env, name: string): string[] {
  const entries = list(env, name, []);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || extra !== undefined || !validBits) fail(name, entry, 'expected IP addresses or CIDR ranges, comma-separated');
  }
  return entries;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail(name, value, 'expected an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(name, value, 'expected an http(s) URL');
  return value.replace(/\/+$/, '');
}

function redis(env: Env): RedisConfig | null {
  const raw = env.PROXY_REDIS_URL?.trim();
  if (raw === undefined || raw === '') return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {
    // Reported below without echoing the value: it may hold a password.
  }
  if (parsed === null || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new Error('invalid PROXY_REDIS_URL: expected a redis:// or rediss:// URL');
  }
  return {
    url: raw,
    keyPrefix: env.PROXY_REDIS_KEY_PREFIX || 'core-pod:ratelimit:',
    timeoutMs: int(env, 'PROXY_REDIS_TIMEOUT_MS', 100, 1, 60_000),
  };
}

/** PROXY_METRICS_TOKEN, or the content of PROXY_METRICS_TOKEN_FILE (Docker/Kubernetes secrets). */
function metricsToken(env: Env): string | null {
  const file = env.PROXY_METRICS_TOKEN_FILE?.trim();
  if (file === undefined || file === '') return env.PROXY_METRICS_TOKEN ? env.PROXY_METRICS_TOKEN : null;
  if (env.PROXY_METRICS_TOKEN) {
    throw new Error('PROXY_METRICS_TOKEN and PROXY_METRICS_TOKEN_FILE are both set: set one of them');
  }
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    return fail('PROXY_METRICS_TOKEN_FILE', file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (token === '') fail('PROXY_METRICS_TOKEN_FILE', file, 'the file is empty');
  return token;
}

function route(env: Env, name: string, prefix: string, hostVar: string, portVar: string,
  defaultPort: number, rate: number, burst: number): RouteConfig {
  const upper = name.toUpperCase();
  const host = env[hostVar] || '127.0.0.1';
  const port = int(env, portVar, defaultPort, 1, 65535);
  return {
    name,
    prefix,
    target: url(env, `PROXY_${upper}_URL`, `http://${host}:${port}`),
    healthPath: `${prefix}/health`,
    ratePerSecond: positive(env, `PROXY_${upper}_RATE`, rate),
    burst: int(env, `PROXY_${upper}_BURST`, burst, 1),
    bodyLimitBytes: int(env, `PROXY_${upper}_BODY_LIMIT`, 1024 * 1024),
  };
}

export function loadConfig(env: Env = process.env): ProxyConfig {
  const certFile = env.PROXY_TLS_CERT_FILE || '';
  const keyFile = env.PROXY_TLS_KEY_FILE || '';
  if ((certFile === '') !== (keyFile === '')) {
    fail(certFile ? 'PROXY_TLS_KEY_FILE' : 'PROXY_TLS_CERT_FILE', '', 'TLS needs both a certificate and a key');
  }
  const methods = list(env, 'PROXY_ALLOWED_METHODS', ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
  for (const method of methods) {
    if (!/^[A-Z]+$/.test(method)) fail('PROXY_ALLOWED_METHODS', method, 'methods are upper-case tokens');
  }
  const maxSockets = int(env, 'PROXY_UPSTREAM_MAX_SOCKETS', 256, 1);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    fail('LOG_LEVEL', logLevel, 'expected fatal|error|warn|info|debug|trace|silent');
  }
  return {
    host: env.PROXY_HOST || '0.0.0.0',
    port: int(env, 'PROXY_PORT', 8080, 0, 65535),
    adminHost: env.PROXY_ADMIN_HOST || '127.0.0.1',
    adminPort: int(env, 'PROXY_ADMIN_PORT', 3004, 0, 65535),
    routes: [
      route(env, 'auth', '/api/v1/auth', 'AUTH_HOST', 'AUTH_PORT', 3001, 10, 20),
      route(env, 'users', '/api/v1/users', 'USERS_HOST', 'USERS_PORT', 3002, 15, 30),
    ],
    tls: certFile === '' ? null : {
      certFile,
      keyFile,
      port: int(env, 'PROXY_TLS_PORT', 8443, 0, 65535),
      redirectHttp: bool(env, 'PROXY_HTTPS_REDIRECT', false),
      publicPort: int(env, 'PROXY_HTTPS_PUBLIC_PORT', int(env, 'PROXY_TLS_PORT', 8443, 0, 65535), 0, 65535),
      hstsMaxAgeSeconds: int(env, 'PROXY_HSTS_MAX_AGE', 0),
    },
    trustedProxies: addressList(env, 'PROXY_TRUSTED_PROXIES'),
    ipv6PrefixBits: int(env, 'PROXY_IPV6_PREFIX', 64, 1, 128),
    // One client may hold at most an eighth of an upstream pool, so seven more can still be served.
    clientMaxInFlight: int(env, 'PROXY_CLIENT_MAX_IN_FLIGHT', Math.max(1, Math.floor(maxSockets / 8)), 1),
    maxConnectionsPerIp: int(env, 'PROXY_MAX_CONNECTIONS_PER_IP', 64),
    bodyTimeoutMs: int(env, 'PROXY_BODY_TIMEOUT_MS', 5_000, 1),
    bodyMinRate: int(env, 'PROXY_BODY_MIN_RATE', 500),
    upstreamQueueTimeoutMs: int(env, 'PROXY_UPSTREAM_QUEUE_TIMEOUT_MS', 1_000, 1),
    edgeRatePerSecond: positive(env, 'PROXY_EDGE_RATE', 5),
    edgeBurst: int(env, 'PROXY_EDGE_BURST', 20, 1),
    healthCacheMs: int(env, 'PROXY_HEALTH_CACHE_MS', 1_000, 0, 1_000),
    upstreamTimeoutMs: int(env, 'PROXY_UPSTREAM_TIMEOUT_MS', 30_000, 1),
    upstreamMaxSockets: maxSockets,
    upstreamKeepAliveMs: int(env, 'PROXY_UPSTREAM_KEEPALIVE_MS', 4_000, 1),
    retryAfterSeconds: int(env, 'PROXY_RETRY_AFTER_S', 2, 1),
    headersTimeoutMs: int(env, 'PROXY_HEADERS_TIMEOUT_MS', 10_000, 1),
    requestTimeoutMs: int(env, 'PROXY_REQUEST_TIMEOUT_MS', 30_000, 1),
    keepAliveTimeoutMs: int(env, 'PROXY_KEEPALIVE_TIMEOUT_MS', 5_000, 1),
    maxHeaderBytes: int(env, 'PROXY_MAX_HEADER_BYTES', 16 * 1024, 1024),
    allowedMethods: methods,
    rateLimitMaxBuckets: int(env, 'PROXY_RATELIMIT_MAX_BUCKETS', 200_000, 1),
    rateLimitSweepMs: int(env, 'PROXY_RATELIMIT_SWEEP_MS', 10_000, 1),
    redis: redis(env),
    healthUrl: url(env, 'PROXY_HEALTH_URL', `http://127.0.0.1:${int(env, 'HEALTH_PORT', 3003, 1, 65535)}`),
    healthTimeoutMs: int(env, 'PROXY_HEALTH_TIMEOUT_MS', 500, 1),
    metricsToken: metricsToken(env),
    metricsAllow: list(env, 'PROXY_METRICS_ALLOW', []),
    shutdownTimeoutMs: int(env, 'PROXY_SHUTDOWN_TIMEOUT_MS', 8_000, 1),
    logLevel,
  };
}
