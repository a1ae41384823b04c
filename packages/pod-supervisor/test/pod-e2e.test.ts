// The whole pod from its real entry point (`dist/cli.js start`, the built services, SQLite in a
// temp dir, free ports), talked to through the proxy only — the seed's test-core-pod.sh in mocha.
// Needs every package built (`npm test` at the root builds first).
import { expect } from 'chai';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corePodDefinition } from '../src/pod-definition';
import { eventually, freePorts } from './pod-harness';
import type { PodStatusFile } from '../src/state-file';

const packageDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(packageDir, '..', '..');

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  body: Record<string, unknown>;
}

describe('the pod end to end through the proxy', function () {
  this.timeout(180_000);
  let dataDir: string | undefined;
  let child: ChildProcess | undefined;
  let exit: Promise<number | null>;
  let edge: string;

  const state = (): PodStatusFile => JSON.parse(fs.readFileSync(path.join(dataDir!, 'run', 'pod-status.json'), 'utf8')) as PodStatusFile;

  async function call(method: string, url: string, body?: unknown, token?: string): Promise<Answer> {
    const response = await fetch(`${edge}${url}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  before(async () => {
    const missing = corePodDefinition().services.filter((s) => !fs.existsSync(s.script)).map((s) => s.script);
    if (missing.length > 0) throw new Error(`build the pod first (npm run build at the root); missing: ${missing.join(', ')}`);
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: packageDir });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-e2e-'));
    dataDir = dir;
    const [auth, users, health, proxy, admin] = await freePorts(5);
    edge = `http://127.0.0.1:${proxy}`;
    const pod = spawn(process.execPath, [path.join(packageDir, 'dist', 'cli.js'), 'start'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        POD_DATA_DIR: dir,
        POD_PM2_HOME: path.join(dir, 'pm2'),
        POD_LOG_STDOUT: '0',
        AUTH_PORT: String(auth),
        USERS_PORT: String(users),
        HEALTH_PORT: String(health),
        PROXY_PORT: String(proxy),
        PROXY_ADMIN_PORT: String(admin),
      },
      stdio: 'ignore',
    });
    child = pod;
    exit = new Promise((resolve) => pod.once('exit', resolve));
    await eventually(() => {
      try {
        return state().services.every((s) => s.state === 'RUNNING');
      } catch {
        return false;
      }
    }, 'the pod to be ready', 120_000).catch((error: Error) => {
      const log = path.join(dir, 'logs', 'pod.log');
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-25).join('\n') : '(no pod.log)';
      throw new Error(`${error.message}\nlast lines of pod.log:\n${tail}`);
    });
  });

  after(async () => {
    if (child && dataDir && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
      const pids = fs.existsSync(path.join(dataDir, 'run', 'pod-status.json')) ? state().services.map((s) => s.pid) : [];
      for (const pid of pids) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers, logs in, refreshes, reads and updates the profile and logs out', async () => {
    const email = `ada-${Date.now()}@example.test`;
    const registered = await call('POST', '/api/v1/auth/register', { email, password: 'correct horse battery staple' });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);

    const login = await call('POST', '/api/v1/auth/login', { email, password: 'correct horse battery staple' });
    expect(login.status).to.equal(200);
    const refreshed = await call('POST', '/api/v1/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refreshed.status).to.equal(200);
    const access = String(refreshed.body.accessToken);

    const profile = await eventually(async () => {
      const answer = await call('GET', '/api/v1/users/me', undefined, access);
      return answer.status === 200 && answer;
    }, 'the profile to exist');
    expect(profile.body).to.have.property('id');
    const updated = await call('PATCH', '/api/v1/users/me', { displayName: 'Ada Lovelace' }, access);
    expect(updated.status).to.equal(200);
    expect(updated.body).to.include({ displayName: 'Ada Lovelace' });

    expect((await call('POST', '/api/v1/auth/logout', {}, access)).status).to.equal(204);
    await eventually(async () => (await call('GET', '/api/v1/users/me', undefined, access)).status === 401, 'the logged-out token to be refused');
  });

  for (const [service, probe] of [['auth', '/api/v1/auth/.well-known/jwks.json'], ['users', '/api/v1/users/health']] as const) {
    it(`recovers from kill -9 of ${service}, the edge answering 503 problem+json meanwhile`, async () => {
      const before = state().services.find((s) => s.name === service)!;
      process.kill(before.pid!, 'SIGKILL');
      // Slow polling: the edge's rate limit (auth 10 r/s) must not answer for the upstream.
      const outage = await eventually(async () => {
        const answer = await call('GET', probe);
        return answer.status === 503 && answer;
      }, `the edge to answer 503 for ${service}`, 10_000);
      expect(outage.type).to.contain('application/problem+json');
      expect(outage.body).to.include({ status: 503, code: 'upstream_unavailable' });
      await eventually(() => {
        const s = state().services.find((x) => x.name === service)!;
        return s.state === 'RUNNING' && s.pid !== before.pid;
      }, `${service} to run again`, 60_000);
      await eventually(async () => (await call('GET', probe)).status === 200, `the edge to serve ${service} again`, 30_000);
    });
  }

  for (const service of ['health', 'proxy']) {
    it(`recovers from kill -9 of ${service}`, async () => {
      const before = state().services.find((s) => s.name === service)!;
      process.kill(before.pid!, 'SIGKILL');
      await eventually(() => {
        const s = state().services.find((x) => x.name === service)!;
        return s.state === 'RUNNING' && s.pid !== before.pid;
      }, `${service} to run again`, 60_000);
      await eventually(async () => {
        try {
          return (await call('GET', '/health')).status < 500;
        } catch {
          return false;
        }
      }, 'the edge to answer /health', 30_000);
    });
  }

  it('reports the supervisor\'s view of every service at the edge /status (via pod-health)', async () => {
    type Row = { name: string; state: string; pid: number; restarts: number };
    const key = (rows: Array<{ name: string; pid: number | null }>) => JSON.stringify(rows.map((s) => [s.name, s.pid]).sort());
    // pod-health collects every few seconds: wait until it has seen the latest restarts.
    const services = await eventually(async () => {
      const status = await call('GET', '/status');
      const rows = status.body as unknown as Row[];
      return status.status === 200 && key(rows) === key(state().services) && rows;
    }, 'pod-health to report the supervisor\'s pids', 20_000);
    expect(services.find((s) => s.name === 'auth')).to.include({ state: 'RUNNING', restarts: 1 });
  });

  it('rate-limits a burst at the edge with 429 and Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => call('GET', '/api/v1/auth/.well-known/jwks.json')));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).to.be.greaterThan(0);
    expect(limited[0]!.headers.get('retry-after')).to.match(/^\d+$/);
    expect(limited[0]!.type).to.contain('application/problem+json');
  });

  it('stops in reverse order on SIGTERM and exits 0', async () => {
    child!.kill('SIGTERM');
    expect(await exit).to.equal(0);
    expect(state().services.map((s) => `${s.name}:${s.state}`)).to.deep.equal(['auth:STOPPED', 'users:STOPPED', 'health:STOPPED', 'proxy:STOPPED']);
  });
});
