// The HEALTHCHECK command (src/check.ts) against a running pod-health: exit 0 and the JSON report
// when ready, 1 when a service fails, 1 with a fail report when nothing listens.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { freePort, until } from './loopback-servers';
import { startPodUnderTest, type PodUnderTest } from './pod-under-test';

const CHECK = path.join(__dirname, '..', 'src', 'check.ts');

function check(port: number): Promise<{ code: number | null; json: { status: string; checks?: object; output?: string } }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CHECK],
      { env: { ...process.env, HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(port), HEALTH_CHECK_TIMEOUT_MS: '2000' } },
      (err, stdout) => resolve({ code: err ? (err.code as number) : 0, json: JSON.parse(stdout) }),
    );
  });
}

describe('check command', () => {
  let pod: PodUnderTest;
  before(async () => {
    pod = await startPodUnderTest();
  });
  after(() => pod.close());

  it('exits 0 and prints the health report when the pod is ready', async () => {
    const { code, json } = await check(pod.port);
    expect(code).to.equal(0);
    expect(json.status).to.be.oneOf(['pass', 'warn']);
    expect(json.checks).to.have.property('auth:responseTime');
  });

  it('exits 1 when a critical service fails its health check', async () => {
    pod.auth.set(503, 'fail');
    await until(() => fetch(`${pod.url}/readyz`).then((r) => r.status), (s) => s === 503);
    const { code, json } = await check(pod.port);
    expect(code).to.equal(1);
    expect(json.status).to.equal('fail');
    pod.auth.set(200, 'pass');
  });

  it('exits 1 with a fail report when pod-health is not listening', async () => {
    const { code, json } = await check(await freePort());
    expect(code).to.equal(1);
    expect(json.status).to.equal('fail');
    expect(json.output).to.match(/unreachable: connect ECONNREFUSED/);
  });
});
