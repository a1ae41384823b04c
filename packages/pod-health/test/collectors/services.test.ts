// Services collector: the supervisor state file when fresh, otherwise a real PM2 daemon in a
// private PM2_HOME; no daemon at all is an empty list, not an error.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPm2ProcessLister, type ProcessLister } from '../../src/collectors/pm2-process-list';
import { collectServices } from '../../src/collectors/services';

const run = promisify(execFile);
const PM2_BIN = require.resolve('pm2/bin/pm2');

async function pm2(home: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [PM2_BIN, ...args], {
    env: { ...process.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true' },
  });
  return stdout;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('services collector', () => {
  let dir: string;
  let stateFile: string;
  const noPm2: ProcessLister = { list: async () => [] };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-svc-'));
    stateFile = path.join(dir, 'run', 'pod-status.json');
    await mkdir(path.dirname(stateFile), { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('uses a fresh supervisor state file and reads CPU and memory of the listed pid from /proc', async () => {
    await writeFile(stateFile, JSON.stringify({
      updatedAt: new Date().toISOString(),
      supervisorPid: process.pid,
      services: [
        { name: 'auth', state: 'RUNNING', pid: process.pid, restarts: 2, startedAt: '2026-01-01T00:00:00.000Z', lastExit: null, critical: true },
        { name: 'users', state: 'BACKOFF', pid: null, restarts: 5, startedAt: null, lastExit: { code: 1, signal: null, at: new Date().toISOString() }, critical: false },
      ],
    }));
    const services = await collectServices({ supervisorStateFile: stateFile, lister: noPm2, procRoot: '/proc' });
    expect(services).to.have.length(2);
    const [auth, users] = services;
    expect(auth).to.deep.include({ name: 'auth', source: 'supervisor', state: 'RUNNING', pid: process.pid, restarts: 2, critical: true });
    expect(auth!.startedAt).to.equal(Date.parse('2026-01-01T00:00:00.000Z') / 1000);
    expect(auth!.cpuSeconds).to.be.greaterThan(0);
    expect(auth!.residentBytes).to.be.greaterThan(10 * 1024 * 1024);
    expect(users).to.deep.include({ name: 'users', state: 'BACKOFF', pid: null, cpuSeconds: null, residentBytes: null, critical: false });
  });

  it('ignores a state file older than 15 s and asks PM2 instead', async () => {
    await writeFile(stateFile, JSON.stringify({
      updatedAt: new Date(Date.now() - 20_000).toISOString(),
      services: [{ name: 'auth', state: 'RUNNING', pid: 1, restarts: 0, startedAt: null, critical: true }],
    }));
    const fromPm2: ProcessLister = {
      list: async () => [{ name: 'proxy', pid: null, state: 'STOPPED', restarts: 0, startedAt: null, cpuPercent: null, memoryBytes: null }],
    };
    const services = await collectServices({ supervisorStateFile: stateFile, lister: fromPm2, procRoot: '/proc' });
    expect(services.map((s) => [s.name, s.source])).to.deep.equal([['proxy', 'pm2']]);
  });

  it('answers "no services" when no PM2 daemon runs, without spawning one', async () => {
    const home = path.join(dir, 'pm2-none');
    await mkdir(home);
    expect(await createPm2ProcessLister(home).list()).to.deep.equal([]);
    expect(existsSync(path.join(home, 'pm2.pid')), 'a daemon was spawned').to.equal(false);
    expect(existsSync(path.join(home, 'rpc.sock')), 'a daemon was spawned').to.equal(false);
  });

  describe('with a real PM2 daemon in a private PM2_HOME', function () {
    this.timeout(60_000);
    let home: string;
    before(async () => {
      home = path.join(dir, 'pm2');
      await mkdir(home);
      const app = path.join(dir, 'idle-app.js');
      await writeFile(app, 'setInterval(() => {}, 1000);\n');
      await pm2(home, 'start', app, '--name', 'auth');
    });
    after(async () => {
      await pm2(home, 'kill').catch(() => undefined);
    });

    it('lists the app as RUNNING with its pid, restarts and start time', async () => {
      const lister = createPm2ProcessLister(home);
      const apps = await until(() => lister.list(), (l) => l[0]?.state === 'RUNNING');
      expect(apps).to.have.length(1);
      const [auth] = apps;
      expect(auth).to.deep.include({ name: 'auth', state: 'RUNNING', restarts: 0 });
      expect(auth!.pid).to.be.a('number');
      expect(auth!.startedAt).to.be.closeTo(Date.now() / 1000, 120);
      const services = await collectServices({ supervisorStateFile: path.join(dir, 'absent.json'), lister, procRoot: '/proc' });
      expect(services[0]).to.deep.include({ name: 'auth', source: 'pm2', state: 'RUNNING', pid: auth!.pid });
      expect(services[0]!.residentBytes).to.be.greaterThan(0);
    });

    it('reports a stopped app in supervisord vocabulary', async () => {
      await pm2(home, 'stop', 'auth');
      const apps = await until(() => createPm2ProcessLister(home).list(), (l) => l[0]?.state === 'STOPPED');
      expect(apps[0]).to.deep.include({ name: 'auth', state: 'STOPPED', pid: null });
    });
  });
});
