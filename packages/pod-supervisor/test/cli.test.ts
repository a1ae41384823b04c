// The operator commands against a running fixture pod: status, logs, stop.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { freePorts, type RunningPod, startPod } from './pod-harness';

const packageDir = path.resolve(__dirname, '..');

describe('core-pod status | logs | stop', function () {
  this.timeout(60_000);
  let pod: RunningPod | undefined;

  afterEach(async () => {
    await pod?.cleanup();
    pod = undefined;
  });

  const cli = (...args: string[]): string =>
    execFileSync(process.execPath, ['--import=tsx', '--conditions=source', path.join(packageDir, 'src', 'cli.ts'), ...args], {
      cwd: packageDir,
      env: { ...process.env, POD_DATA_DIR: pod!.dataDir },
      encoding: 'utf8',
    });

  it('reports every service with state, pid, uptime, restarts, CPU and memory, shows the log and stops the pod', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod([{ name: 'a', port: a! }, { name: 'b', port: b!, dependsOn: ['a'] }]);
    const state = await pod.allRunning();

    const status = JSON.parse(cli('status', '--json')) as { supervisorRunning: boolean; services: Array<Record<string, unknown>> };
    expect(status.supervisorRunning).to.equal(true);
    expect(status.services.map((s) => [s.name, s.state, s.pid])).to.deep.equal(state.services.map((s) => [s.name, 'RUNNING', s.pid]));
    for (const s of status.services) {
      expect(s.memoryBytes).to.be.greaterThan(10 * 1024 * 1024);
      expect(s).to.include.keys('uptimeSeconds', 'restarts', 'cpuSeconds');
    }
    expect(cli('status')).to.match(/^a\s+RUNNING\s+\d+/m);

    const lines = cli('logs', '-n', '3').trim().split('\n');
    expect(lines).to.have.length(3);
    for (const line of lines) expect(JSON.parse(line)).to.be.an('object');

    expect(cli('stop').trim()).to.equal('pod stopped');
    expect(await pod.exit).to.equal(0);
    expect(JSON.parse(cli('status', '--json'))).to.include({ supervisorRunning: false });
  });
});
