// The supervisor run as `core-pod start` on fixture services under real PM2: ordered start,
// readiness failures, kill -9 recovery and the reverse-order stop.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, freePorts, httpGet, type RunningPod, startPod } from './pod-harness';

const migrateScript = path.join(__dirname, 'fixtures', 'fixture-migrate.js');

describe('core-pod start on a fixture pod', function () {
  this.timeout(60_000);
  let pod: RunningPod | undefined;
  let scratch: string;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-marker-'));
  });
  afterEach(async () => {
    await pod?.cleanup();
    pod = undefined;
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs migrations first, then starts each service only after its dependencies are ready', async () => {
    const [a, b, c] = await freePorts(3);
    const marker = path.join(scratch, 'migrated');
    pod = startPod([
      { name: 'a', port: a!, env: { FIXTURE_READY_DELAY_MS: '400', FIXTURE_MIGRATE_MARKER: marker }, migrateScript },
      { name: 'c', port: c!, dependsOn: ['b'] },
      { name: 'b', port: b!, dependsOn: ['a'], env: { FIXTURE_READY_DELAY_MS: '300', FIXTURE_MIGRATE_MARKER: marker }, migrateScript },
    ]);
    const state = await pod.allRunning();

    expect(state.supervisorPid).to.equal(pod.child.pid);
    expect(state.services.map((s) => s.name)).to.deep.equal(['a', 'b', 'c']);
    expect(fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]).sort()).to.deep.equal(['a', 'b']);
    const transitions = pod.transitions();
    expect(transitions.slice(0, 6)).to.deep.equal(['a:STARTING', 'a:RUNNING', 'b:STARTING', 'b:RUNNING', 'c:STARTING', 'c:RUNNING']);
    const firstStart = pod.logLines().findIndex((l) => l.event === 'service_state');
    for (const name of ['a', 'b']) {
      expect(pod.logLines().findIndex((l) => l.msg === `migrations of ${name} applied`)).to.be.greaterThan(-1).and.lessThan(firstStart);
    }
    expect((await httpGet(`http://127.0.0.1:${c}/`)).status).to.equal(200);
  });

  it('tells the services whose migrations it ran, and only those, to skip their own', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod([
      { name: 'a', port: a!, env: { FIXTURE_MIGRATE_MARKER: path.join(scratch, 'migrated') }, migrateScript },
      { name: 'b', port: b!, dependsOn: ['a'] },
    ]);
    await pod.allRunning();

    expect(JSON.parse((await httpGet(`http://127.0.0.1:${a}/`)).body).migrationsApplied).to.equal('1');
    expect(JSON.parse((await httpGet(`http://127.0.0.1:${b}/`)).body).migrationsApplied).to.equal(null);
  });

  it('fails the start naming the service and its last log lines when its readiness probe never passes', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod([
      { name: 'a', port: a! },
      { name: 'b', port: b!, dependsOn: ['a'], startTimeoutMs: 1500, restart: { startretries: 0 }, env: { FIXTURE_NEVER_READY: '1', FIXTURE_PLAIN_LINE: 'b: cannot open database' } },
    ]);

    expect(await pod.exit).to.equal(1);
    const failure = pod.logLines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('service "b" failed to start'));
    expect(failure?.msg).to.contain(`readiness probe http://127.0.0.1:${b}/ready did not answer 2xx within 1500 ms`);
    expect(failure?.msg).to.contain('b: cannot open database');
    expect(pod.stderr).to.contain('service "b" failed to start');
    expect(pod.state()?.services.map((s) => s.state)).to.deep.equal(['STOPPED', 'FATAL']);
  });

  it('fails before starting anything when a migration fails, naming the service', async () => {
    const [a] = await freePorts(1);
    pod = startPod([{ name: 'a', port: a!, env: { FIXTURE_MIGRATE_FAIL: 'table users is locked' }, migrateScript }]);

    expect(await pod.exit).to.equal(1);
    expect(pod.stderr).to.contain('migrations of "a" failed').and.contain('table users is locked');
    expect(pod.transitions()).to.deep.equal([]);
  });

  it('brings a service killed with kill -9 back and records the unexpected exit', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod([{ name: 'a', port: a! }, { name: 'b', port: b!, dependsOn: ['a'] }]);
    const before = (await pod.allRunning()).services.find((s) => s.name === 'a')!;

    process.kill(before.pid!, 'SIGKILL');
    const after = await eventually(() => {
      const s = pod!.service('a');
      return s && s.state === 'RUNNING' && s.pid !== before.pid && s;
    }, 'a to run again with a new pid');

    expect(after.restarts).to.equal(1);
    expect(after.lastExit).to.include({ code: null, signal: 'unknown' });
    expect(JSON.parse((await httpGet(`http://127.0.0.1:${a}/`)).body)).to.include({ name: 'a', pid: after.pid });
    expect(pod.service('b')).to.include({ state: 'RUNNING', restarts: 0 });
  });

  it('stops in reverse order on SIGTERM, lets an in-flight request finish and exits 0', async () => {
    const [a, b, c] = await freePorts(3);
    pod = startPod([{ name: 'a', port: a! }, { name: 'b', port: b!, dependsOn: ['a'] }, { name: 'c', port: c!, dependsOn: ['b'] }]);
    await pod.allRunning();

    const inFlight = httpGet(`http://127.0.0.1:${c}/slow?ms=1500`);
    await eventually(() => pod!.logLines().some((l) => l.msg === 'c slow request started'), 'the slow request to reach c');
    pod.child.kill('SIGTERM');

    expect(await inFlight).to.deep.include({ status: 200 });
    expect(await pod.exit).to.equal(0);
    expect(pod.transitions().filter((t) => t.endsWith(':STOPPED'))).to.deep.equal(['c:STOPPED', 'b:STOPPED', 'a:STOPPED']);
    expect(pod.state()?.services.every((s) => s.state === 'STOPPED' && s.pid === null)).to.equal(true);
  });

  it('kills a service that ignores its stop signal once its stop timeout has passed, and still exits 0', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod([{ name: 'a', port: a! }, { name: 'b', port: b!, stopTimeoutMs: 500, env: { FIXTURE_IGNORE_STOP_SIGNALS: '1' } }]);
    const stuck = (await pod.allRunning()).services[1]!;

    pod.child.kill('SIGTERM');

    expect(await pod.exit).to.equal(0);
    expect(() => process.kill(stuck.pid!, 0)).to.throw();
    expect(pod.logLines().some((l) => l.msg === 'b: still running 500 ms after SIGTERM')).to.equal(true);
    expect(pod.transitions().filter((t) => t.endsWith(':STOPPED'))).to.deep.equal(['b:STOPPED', 'a:STOPPED']);
  });

  it('kills whatever is left and exits 1 when the whole stop overruns POD_STOP_DEADLINE_MS', async () => {
    const [a] = await freePorts(1);
    pod = startPod([{ name: 'a', port: a!, stopTimeoutMs: 20_000, env: { FIXTURE_IGNORE_STOP_SIGNALS: '1' } }], { POD_STOP_DEADLINE_MS: '1000' });
    const stuck = (await pod.allRunning()).services[0]!;

    pod.child.kill('SIGTERM');

    expect(await pod.exit).to.equal(1);
    await eventually(() => {
      try {
        process.kill(stuck.pid!, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the stuck service to be gone', 5000);
    expect(pod.logLines().some((l) => l.msg === 'pod did not stop within 1000 ms; killing what is left')).to.equal(true);
  });
});
