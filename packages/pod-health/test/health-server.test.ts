// The HTTP surface of a running pod-health against real loopback services: health+json, status,
// metrics (checked by promtool), problem+json errors and request ids.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { until } from './loopback-servers';
import { startPodUnderTest, type PodUnderTest } from './pod-under-test';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
}

describe('health server', () => {
  let pod: PodUnderTest;
  before(async () => {
    pod = await startPodUnderTest();
  });
  after(() => pod.close());

  it('answers /livez without checking anything external', async () => {
    const res = await get(`${pod.url}/livez`);
    expect(res).to.deep.include({ status: 200, type: 'application/health+json' });
    expect(JSON.parse(res.text)).to.deep.equal({ status: 'pass' });
  });

  it('passes /health and /readyz with per-check details when every service answers', async () => {
    for (const route of ['/health', '/readyz']) {
      const res = await get(`${pod.url}${route}`);
      expect(res).to.deep.include({ status: 200, type: 'application/health+json' });
      const body = JSON.parse(res.text) as { status: string; checks: Record<string, Array<{ status: string }>> };
      expect(body.status).to.be.oneOf(['pass', 'warn']);
      expect(body.checks['auth:responseTime']![0]!.status).to.equal('pass');
      expect(body.checks).to.have.property('memory:utilization');
      expect(body.checks).to.have.property('disk:free');
    }
  });

  it('turns to fail with 503 once a service answers 503, and back when it recovers', async () => {
    pod.users.set(503, 'fail');
    const failing = await until(() => get(`${pod.url}/readyz`), (r) => r.status === 503);
    expect(JSON.parse(failing.text).checks['users:responseTime'][0]).to.deep.include({ status: 'fail', output: 'HTTP 503' });
    expect((await get(`${pod.url}/health`)).status).to.equal(503);
    pod.users.set(200, 'pass');
    await until(() => get(`${pod.url}/readyz`), (r) => r.status === 200);
  });

  it('lists services from the supervisor state file on /status', async () => {
    const file = path.join(pod.dataDir, 'run', 'pod-status.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({
      updatedAt: new Date().toISOString(),
      supervisorPid: process.pid,
      services: [{ name: 'auth', state: 'RUNNING', pid: process.pid, restarts: 1, startedAt: new Date(Date.now() - 60_000).toISOString(), lastExit: null, critical: true }],
    }));
    const res = await until(() => get(`${pod.url}/status`), (r) => JSON.parse(r.text).length === 1 && JSON.parse(r.text)[0].cpu !== null);
    expect(res.type).to.equal('application/json');
    const [auth] = JSON.parse(res.text) as Array<Record<string, unknown>>;
    expect(auth).to.deep.include({ name: 'auth', pid: process.pid, state: 'RUNNING', restarts: 1, source: 'supervisor' });
    expect(auth!.uptime).to.be.within(59, 120);
    expect(auth!.memory).to.be.greaterThan(0);
    expect(auth!.cpu).to.be.a('number');
  });

  it('exposes pod metrics and each service’s Node metrics with a service label', async () => {
    const res = await get(`${pod.url}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.type).to.match(/^text\/plain; version=0\.0\.4/);
    expect(res.text).to.match(/^pod_memory_working_set_bytes\{source="(cgroup-v[12]|host)"\} \d+/m);
    expect(res.text).to.match(/^pod_service_up\{service="auth"\} 1$/m);
    expect(res.text).to.match(/^pod_probe_duration_seconds_count\{service="auth",result="success"\} \d+$/m);
    for (const service of ['auth', 'users', 'health']) {
      expect(res.text).to.match(new RegExp(`^nodejs_eventloop_lag_p99_seconds\\{service="${service}"\\} `, 'm'));
    }
    expect(res.text.match(/^# TYPE nodejs_heap_size_used_bytes /gm)).to.have.length(1);
  });

  it('produces /metrics that `promtool check metrics` accepts without errors or warnings', async () => {
    const { text } = await get(`${pod.url}/metrics`);
    const child = execFile('promtool', ['check', 'metrics']);
    let output = '';
    child.stdout?.on('data', (c: string) => (output += c));
    child.stderr?.on('data', (c: string) => (output += c));
    child.stdin?.end(text);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(output.trim(), output).to.equal('');
    expect(code).to.equal(0);
  });

  it('answers unknown paths with 404 and other methods with 405, as problem+json with a stable code', async () => {
    const missing = await get(`${pod.url}/nope`);
    expect(missing).to.deep.include({ status: 404, type: 'application/problem+json' });
    expect(JSON.parse(missing.text)).to.deep.include({ status: 404, code: 'not_found', instance: '/nope' });
    const post = await fetch(`${pod.url}/health`, { method: 'POST', body: 'x' });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
    expect(await post.json()).to.deep.include({ code: 'method_not_allowed' });
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    expect((await get(`${pod.url}/livez`, { 'x-request-id': 'abc-123' })).headers.get('x-request-id')).to.equal('abc-123');
    const replaced = (await get(`${pod.url}/livez`, { 'x-request-id': 'bad id!' })).headers.get('x-request-id');
    expect(replaced).to.match(/^[0-9a-f-]{36}$/);
  });
});
