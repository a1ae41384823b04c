// Core Pod under plain PM2: `pm2 start ecosystem.config.js` (run `npm run build` first).
// PM2 has no start order, so every app but auth is preloaded with pod-supervisor's
// wait-for-dependencies module (`node --import`), which holds its entry point until the
// readiness URLs of what it depends on answer 2xx: auth → users → health → proxy.
// Each service sends 'ready' once listening (wait_ready), so `pm2 start` returns when all are up.
// For the full supervisor (state machine, FATAL, notices, rotated JSON log) use `npm start`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;
const env = process.env;
const dataDir = path.resolve(root, env.POD_DATA_DIR || 'data');
const waitPreload = path.join(root, 'packages', 'pod-supervisor', 'dist', 'wait-for-dependencies.mjs');
// PM2 only warns when the log folder is missing.
fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
// Tests point every app at a fixture service instead of the real dist/main.js.
const fixtureScript = env.CORE_POD_ECOSYSTEM_SCRIPT;

const ports = {
  auth: env.AUTH_PORT || '3001',
  users: env.USERS_PORT || '3002',
  health: env.HEALTH_PORT || '3003',
  proxy: env.PROXY_ADMIN_PORT || '3004',
};
const readiness = {
  auth: `http://127.0.0.1:${ports.auth}/api/v1/auth/health`,
  users: `http://127.0.0.1:${ports.users}/api/v1/users/health`,
  // /livez: pod-health's /readyz checks the proxy, which starts after it.
  health: `http://127.0.0.1:${ports.health}/livez`,
  proxy: `http://127.0.0.1:${ports.proxy}/livez`,
};

// auth and users call each other's internal API: keep those URLs in step with the ports.
const internalUrls = {
  auth: { USERS_INTERNAL_URL: env.USERS_INTERNAL_URL || `http://127.0.0.1:${ports.users}` },
  users: { AUTH_INTERNAL_URL: env.AUTH_INTERNAL_URL || `http://127.0.0.1:${ports.auth}` },
};

function app(name, pkg, dependsOn) {
  return {
    name,
    script: fixtureScript || path.join(root, 'packages', pkg, 'dist', 'main.js'),
    cwd: root,
    exec_mode: 'fork',
    instances: 1,
    node_args: dependsOn.length > 0 ? ['--import', waitPreload] : [],
    env: {
      NODE_ENV: env.NODE_ENV || 'development',
      POD_DATA_DIR: dataDir,
      POD_SERVICE_NAME: name,
      POD_WAIT_FOR: dependsOn.map((d) => readiness[d]).join(','),
      POD_WAIT_TIMEOUT_MS: '60000',
      ...internalUrls[name],
      ...(fixtureScript ? { FIXTURE_NAME: name, FIXTURE_PORT: ports[name] } : {}),
    },
    // 'ready' is sent once listening; the dependency wait happens before, so allow for it.
    wait_ready: true,
    listen_timeout: 70000,
    // Services finish in-flight requests within ~8 s of SIGINT; PM2's default is 1.6 s.
    kill_timeout: 9000,
    // No restart_delay/exp_backoff_restart_delay: with max_restarts they leave an app stuck in
    // "waiting restart" (DESIGN §3). Immediate restarts, ERRORED after 10 unstable ones.
    autorestart: true,
    min_uptime: 5000,
    max_restarts: 10,
    max_memory_restart: '300M',
    // pmx off: -9 MB per process and faster restarts (DESIGN §3).
    pmx: false,
    automation: false,
    vizion: false,
    // stdout and stderr of a service in one file.
    merge_logs: true,
    out_file: path.join(dataDir, 'logs', `${name}.log`),
    error_file: path.join(dataDir, 'logs', `${name}.log`),
  };
}

module.exports = {
  apps: [
    app('auth', 'auth-service', []),
    app('users', 'user-service', ['auth']),
    app('health', 'pod-health', ['users']),
    app('proxy', 'pod-proxy', ['health']),
  ],
};
