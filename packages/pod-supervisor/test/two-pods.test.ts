// Two complete pods (real entry point, built services, free ports, own data dirs and PM2 homes) on
// one PostgreSQL, sharing the signing key, the internal token and a Redis for rate limits — the
// fleet of issue 7, talked to through the two proxies only. Needs every package built.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresServer, type PostgresServer } from '../src/bench/fleet-postgres';
import { fleetSecrets, freePorts, startRealPod, type RealPod } from '../src/bench/pod-fleet';
import { corePodDefinition, repoRoot } from '../src/pod-definition';
import { eventually } from './pod-harness';
import { startThrowawayRedis, type ThrowawayRedis } from './throwaway-redis';

const packageDir = path.resolve(__dirname, '..');
const password = 'correct horse battery staple';
const adminEmail = `fleet-admin-${Date.now()}@example.test`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(pod: RealPod, method: string, url: string, options: { body?: unknown; token?: string; clientIp?: string } = {}): Promise<Answer> {
  const response = await fetch(`${pod.edge}${url}`, {
    method,
    headers: {
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.clientIp ? { 'x-forwarded-for': options.clientIp } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text && text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls `check` every 200 ms (well inside the edge's rate limits) until it holds or `ms` have passed. */
async function within<T>(ms: number, what: string, check: () => Promise<T | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const migrationsIn = (pkg: string) =>
  fs.readdirSync(path.join(repoRoot, 'packages', pkg, 'prisma', 'postgresql', 'migrations'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('two pods on one PostgreSQL, through their proxies', function () {
  this.timeout(240_000);
  let work: string | undefined;
  let postgres: PostgresServer | undefined;
  const databases: string[] = [];
  let redis: ThrowawayRedis | undefined;
  const pods: RealPod[] = [];
  let a: RealPod;
  let b: RealPod;

  before(async () => {
    const missing = corePodDefinition().services.filter((s) => !fs.existsSync(s.script)).map((s) => s.script);
    if (missing.length > 0) throw new Error(`build the pod first (npm run build at the root); missing: ${missing.join(', ')}`);
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: packageDir });
    postgres = postgresServer();
    const authDb = postgres.createDatabase('fleet_auth');
    databases.push(authDb);
    const usersDb = postgres.createDatabase('fleet_users');
    databases.push(usersDb);
    redis = await startThrowawayRedis();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-fleet-'));
    const fleet = {
      ...fleetSecrets(path.join(work, 'secrets')),
      AUTH_DATABASE_URL: authDb,
      USERS_DATABASE_URL: usersDb,
      AUTH_BOOTSTRAP_ADMIN_EMAIL: adminEmail,
      AUTH_BCRYPT_COST: '10',
      PROXY_REDIS_URL: redis.url,
      // Stands for the load balancer in front of the fleet: the test speaks for a fresh client address.
      PROXY_TRUSTED_PROXIES: '127.0.0.1',
    };
    const ports = await freePorts(10);
    // Both at once on the empty databases: their migration steps race each other.
    a = startRealPod('pod-a', work, ports.slice(0, 5), fleet);
    pods.push(a);
    b = startRealPod('pod-b', work, ports.slice(5), fleet);
    pods.push(b);
    await Promise.all(pods.map((pod) => pod.ready(180_000)));
  });

  after(async () => {
    await Promise.all(pods.map((pod) => pod.stop()));
    await redis?.stop();
    for (const url of databases) postgres?.dropDatabase(url);
    postgres?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('ends with one migration history when both pods migrate the empty databases at the same time', () => {
    for (const pod of pods) {
      const messages = fs.readFileSync(path.join(pod.dataDir, 'logs', 'pod.log'), 'utf8').split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { msg?: string }).msg));
      expect(messages, `${pod.name} ran its migration step`).to.include.members(['migrations of auth applied', 'migrations of users applied']);
    }
    for (const [pkg, url] of [['auth-service', databases[0]!], ['user-service', databases[1]!]] as const) {
      const rows = postgres!.query(url, 'SELECT migration_name, finished_at IS NOT NULL, rolled_back_at IS NULL FROM _prisma_migrations ORDER BY migration_name');
      expect(rows, pkg).to.deep.equal(migrationsIn(pkg).map((name) => `${name}|t|t`));
    }
  });

  it('lets a user registered through pod A log in through pod B', async () => {
    const email = `ada-${Date.now()}@example.test`;
    const registered = await call(a, 'POST', '/api/v1/auth/register', { body: { email, password } });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const login = await call(b, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    expect((login.body.user as { id: string }).id).to.equal((registered.body.user as { id: string }).id);
  });

  it('has pod B\'s user-service accept an access token issued by pod A (one key, one JWKS)', async () => {
    const jwks = await Promise.all(pods.map(async (pod) => (await call(pod, 'GET', '/api/v1/auth/.well-known/jwks.json')).body));
    expect(jwks[1]).to.deep.equal(jwks[0]);
    const email = `grace-${Date.now()}@example.test`;
    const registered = await call(a, 'POST', '/api/v1/auth/register', { body: { email, password } });
    const me = await call(b, 'GET', '/api/v1/users/me', { token: String(registered.body.accessToken) });
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
    expect(me.body).to.include({ id: (registered.body.user as { id: string }).id });
  });

  it('enforces a logout through pod A at pod B within 5 s', async () => {
    const email = `linus-${Date.now()}@example.test`;
    expect((await call(a, 'POST', '/api/v1/auth/register', { body: { email, password } })).status).to.equal(201);
    const token = String((await call(a, 'POST', '/api/v1/auth/login', { body: { email, password } })).body.accessToken);
    expect((await call(b, 'GET', '/api/v1/users/me', { token })).status).to.equal(200);

    expect((await call(a, 'POST', '/api/v1/auth/logout', { token })).status).to.equal(204);
    const refused = await within(5_000, 'pod B refuses the logged-out session', async () => {
      const me = await call(b, 'GET', '/api/v1/users/me', { token });
      return me.status === 401 && me;
    });
    expect(refused.body).to.include({ code: 'session_revoked' });
    expect((await call(b, 'GET', '/api/v1/auth/me', { token })).status).to.equal(401);
  });

  it('enforces disabling a user (by the bootstrap admin, through pod A) at pod B within 5 s', async () => {
    const admin = await call(a, 'POST', '/api/v1/auth/register', { body: { email: adminEmail, password } });
    expect(admin.status, JSON.stringify(admin.body)).to.equal(201);
    expect(admin.body.user).to.include({ role: 'admin' });
    const email = `mallory-${Date.now()}@example.test`;
    const victim = await call(a, 'POST', '/api/v1/auth/register', { body: { email, password } });
    const token = String((await call(b, 'POST', '/api/v1/auth/login', { body: { email, password } })).body.accessToken);
    expect((await call(b, 'GET', '/api/v1/users/me', { token })).status).to.equal(200);

    const id = (victim.body.user as { id: string }).id;
    const disabled = await call(a, 'POST', `/api/v1/users/${id}/disable`, { token: String(admin.body.accessToken) });
    expect(disabled.status, JSON.stringify(disabled.body)).to.equal(200);
    const refused = await within(5_000, 'pod B refuses the disabled user\'s token', async () => {
      const me = await call(b, 'GET', '/api/v1/users/me', { token });
      return (me.status === 401 || me.status === 403) && me;
    });
    expect(refused.body.code).to.be.oneOf(['session_revoked', 'account_disabled']);
    const login = await call(b, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status).to.equal(403);
    expect(login.body).to.include({ code: 'account_disabled' });
  });

  it('shares one rate-limit bucket through Redis: load split across both pods is admitted within ONE bucket\'s bound', async () => {
    for (const pod of pods) {
      await eventually(async () => {
        const health = await call(pod, 'GET', '/health');
        const checks = health.body.checks as Record<string, Array<{ status: string }>> | undefined;
        return checks?.['redis:connection']?.[0]?.status === 'pass';
      }, `${pod.name}'s proxy to share its buckets through Redis`, 15_000);
    }
    // The auth route's defaults: 10 r/s per client address, burst 20. 50 r/s for 2 s, alternating pods.
    const [rate, burst, count, intervalMs] = [10, 20, 100, 20];
    const statuses: number[][] = [[], []];
    const sent: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const due = started + i * intervalMs;
      while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, 2));
      const which = i % 2;
      sent.push(call(pods[which]!, 'GET', '/api/v1/auth/.well-known/jwks.json', { clientIp: '203.0.113.7' }).then((answer) => void statuses[which]!.push(answer.status)));
    }
    await Promise.all(sent);
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.flat().filter((s) => s !== 200 && s !== 429), 'every answer is 200 or 429').to.deep.equal([]);
    const admitted = statuses.flat().filter((s) => s === 200).length;
    // One bucket admits at most burst + rate × elapsed (+1 for a token refilling at the edge); two
    // independent buckets would admit about twice that.
    expect(admitted).to.be.at.most(Math.floor(burst + rate * seconds) + 1);
    expect(admitted).to.be.at.least(Math.floor(burst + rate * seconds * 0.8) - 2);
    for (const perPod of statuses) expect(perPod.filter((s) => s === 200).length, 'each pod served part of the load').to.be.greaterThan(5);
  });
});
