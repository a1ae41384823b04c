// The real Core Pod: auth → users → health → proxy, migrations first, readiness URLs and
// ports from the pod-wide contract (overridable with each service's HOST/PORT variables).
import path from 'node:path';
import { defaultRestartPolicy, type PodDefinition, type ServiceDefinition } from './pod-types';

type Env = Record<string, string | undefined>;

/**
 * V8's young generation at its default size (16 MB semi-spaces) is mostly empty in an idle
 * service but stays resident; 1 MB semi-spaces cut ~10 MB per process. Scavenges get more
 * frequent but stay sub-millisecond at these request rates (README, Figures).
 */
export const leanNodeArgs = ['--max-semi-space-size=1'];

/** The repository root, found from this file (src/ or dist/ of packages/pod-supervisor). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

function base(name: string, pkg: string, url: string, dependsOn: string[]): ServiceDefinition {
  const dir = path.join(repoRoot, 'packages', pkg);
  return {
    name,
    script: path.join(dir, 'dist', 'main.js'),
    nodeArgs: leanNodeArgs,
    cwd: repoRoot,
    dependsOn,
    readinessUrl: url,
    startTimeoutMs: 20_000,
    restart: { ...defaultRestartPolicy },
    stopsignal: 'SIGTERM',
    stopTimeoutMs: 8_500,
    critical: true,
  };
}

/** Loopback address to probe a service that may listen on 0.0.0.0. */
function probeHost(host: string | undefined): string {
  return !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

export function corePodDefinition(env: Env = process.env): PodDefinition {
  const port = (name: string, fallback: number): string => env[name] || String(fallback);
  // auth and users call each other's internal API; keep those URLs in step with the ports.
  const authInternal = env.AUTH_INTERNAL_URL || `http://${probeHost(env.AUTH_HOST)}:${port('AUTH_PORT', 3001)}`;
  const usersInternal = env.USERS_INTERNAL_URL || `http://${probeHost(env.USERS_HOST)}:${port('USERS_PORT', 3002)}`;
  const auth = base('auth', 'auth-service', `http://${probeHost(env.AUTH_HOST)}:${port('AUTH_PORT', 3001)}/api/v1/auth/health`, []);
  auth.migrateScript = path.join(repoRoot, 'packages', 'auth-service', 'dist', 'migrate.js');
  auth.env = { USERS_INTERNAL_URL: usersInternal };
  const users = base('users', 'user-service', `http://${probeHost(env.USERS_HOST)}:${port('USERS_PORT', 3002)}/api/v1/users/health`, ['auth']);
  users.migrateScript = path.join(repoRoot, 'packages', 'user-service', 'dist', 'migrate.js');
  users.env = { AUTH_INTERNAL_URL: authInternal };
  // Not for the SQLite services: on Node 24, better-sqlite3 12 aborts the process when a GC
  // finalises a statement outside a context (Statement::~Statement → RemoveEnvironmentCleanupHook
  // CHECK); frequent scavenges made it happen within seconds in the image.
  auth.nodeArgs = [];
  users.nodeArgs = [];
  // /livez, not /readyz: pod-health's readiness checks the other services, the proxy included,
  // which starts after it.
  const health = base('health', 'pod-health', `http://${probeHost(env.HEALTH_HOST)}:${port('HEALTH_PORT', 3003)}/livez`, ['users']);
  // The monitor is useful but the pod serves requests without it.
  health.critical = false;
  const proxy = base('proxy', 'pod-proxy', `http://127.0.0.1:${port('PROXY_ADMIN_PORT', 3004)}/livez`, ['health']);
  // The edge carries every request: it keeps V8's default young generation (fewer scavenges).
  proxy.nodeArgs = [];
  return { services: [auth, users, health, proxy] };
}
