// The root ecosystem.config.js under plain PM2 (private PM2_HOME), with fixture services in
// place of the real ones: meaningful names, and ordering held by the dependency preload.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corePodDefinition } from '../src/pod-definition';
import { freePorts, httpGet } from './pod-harness';

const packageDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(packageDir, '..', '..');
const pm2Bin = path.join(repoRoot, 'node_modules', '.bin', 'pm2');

interface Pm2Entry {
  name: string;
  pid: number;
  pm2_env: { status: string; restart_time: number };
}

describe('ecosystem.config.js under plain PM2', function () {
  this.timeout(90_000);
  let home: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    // The ecosystem preloads the compiled wait-for-dependencies module.
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: packageDir });
  });

  beforeEach(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-pm2-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-eco-'));
    const [auth, users, health, proxy] = await freePorts(4);
    env = {
      ...process.env,
      PM2_HOME: home,
      PM2_DISABLE_VERSION_CHECK: 'true',
      POD_DATA_DIR: dataDir,
      AUTH_PORT: String(auth),
      USERS_PORT: String(users),
      HEALTH_PORT: String(health),
      PROXY_ADMIN_PORT: String(proxy),
    };
  });

  afterEach(() => {
    execFileSync(pm2Bin, ['kill'], { env, stdio: 'ignore' });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const pm2 = (...args: string[]): string => execFileSync(pm2Bin, args, { cwd: repoRoot, env, encoding: 'utf8' });

  function firstTime(app: string, msg: string): number {
    const lines = fs.readFileSync(path.join(dataDir, 'logs', `${app}.log`), 'utf8').split('\n').filter((l) => l.startsWith('{'));
    const line = lines.map((l) => JSON.parse(l) as { msg: string; time: number }).find((l) => l.msg === msg);
    if (!line) throw new Error(`${app} never logged "${msg}"`);
    return line.time;
  }

  it('starts auth, users, health and proxy in order and returns once all are ready', async () => {
    env.CORE_POD_ECOSYSTEM_SCRIPT = path.join(packageDir, 'test', 'fixtures', 'fixture-service.js');
    env.FIXTURE_READY_DELAY_MS_AUTH = '1500';
    pm2('start', 'ecosystem.config.js');

    const list = JSON.parse(pm2('jlist')) as Pm2Entry[];
    expect(list.map((p) => `${p.name}:${p.pm2_env.status}`)).to.deep.equal(['auth:online', 'users:online', 'health:online', 'proxy:online']);
    for (const [name, port] of [['auth', env.AUTH_PORT], ['users', env.USERS_PORT], ['health', env.HEALTH_PORT], ['proxy', env.PROXY_ADMIN_PORT]]) {
      expect(JSON.parse((await httpGet(`http://127.0.0.1:${port}/`)).body)).to.include({ name });
    }
    // auth is slow to become ready; users waited for it, and so on down the chain.
    // (less 100 ms: timestamps come from two processes, and a timer may fire a millisecond early)
    const authReady = firstTime('auth', 'auth listening') + 1500 - 100;
    expect(firstTime('users', 'dependencies of users ready')).to.be.at.least(authReady);
    expect(firstTime('health', 'health listening')).to.be.greaterThan(firstTime('users', 'users listening'));
    expect(firstTime('proxy', 'proxy listening')).to.be.greaterThan(firstTime('health', 'health listening'));
    expect(list.every((p) => p.pm2_env.restart_time === 0)).to.equal(true);
  });

  it('runs the real built services so that the edge serves the auth API', async () => {
    const missing = corePodDefinition().services.filter((s) => !fs.existsSync(s.script)).map((s) => s.script);
    if (missing.length > 0) throw new Error(`build the pod first (npm run build at the root); missing: ${missing.join(', ')}`);
    const [edge] = await freePorts(1);
    env.PROXY_PORT = String(edge);
    pm2('start', 'ecosystem.config.js');

    const list = JSON.parse(pm2('jlist')) as Pm2Entry[];
    expect(list.map((p) => `${p.name}:${p.pm2_env.status}`).sort()).to.deep.equal(['auth:online', 'health:online', 'proxy:online', 'users:online']);
    const jwks = await httpGet(`http://127.0.0.1:${edge}/api/v1/auth/.well-known/jwks.json`);
    expect(jwks.status).to.equal(200);
    expect(JSON.parse(jwks.body)).to.have.property('keys').that.is.an('array').with.length.greaterThan(0);
    const users = await httpGet(`http://127.0.0.1:${env.USERS_PORT}/api/v1/users/health`);
    expect(users.status, users.body).to.equal(200);
    expect(list.every((p) => p.pm2_env.restart_time === 0)).to.equal(true);
  });
});
