// docker/prometheus and docker/grafana: the scrape config and alert rules pass promtool, every
// dashboard query is valid PromQL, and every pod_* metric they use exists in the real /metrics.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPodUnderTest } from './pod-under-test';

const run = promisify(execFile);
const DOCKER = path.join(__dirname, '..', '..', '..', 'docker');
const ALERTS = path.join(DOCKER, 'prometheus', 'core-pod-alerts.yml');

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
}

async function dashboardExprs(): Promise<Array<{ title: string; expr: string }>> {
  const dashboard = JSON.parse(await readFile(path.join(DOCKER, 'grafana', 'dashboards', 'core-pod.json'), 'utf8')) as Dashboard;
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
}

/** Grafana's variables replaced by values Prometheus accepts. */
function asPromql(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$pod', '.*');
}

describe('Prometheus and Grafana configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-monitoring-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('has a scrape config that `promtool check config` accepts, with its alert rules', async () => {
    const token = path.join(dir, 'token');
    await writeFile(token, 'secret\n');
    const config = (await readFile(path.join(DOCKER, 'prometheus', 'prometheus.yml'), 'utf8'))
      .replaceAll('/etc/prometheus/pod-metrics-token', token)
      .replaceAll('/etc/prometheus/core-pod-alerts.yml', ALERTS);
    await writeFile(path.join(dir, 'prometheus.yml'), config);
    const { stdout } = await run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(stdout).to.include('SUCCESS: 1 rule files found');
    expect(stdout).to.match(/is valid prometheus config file syntax/);
  });

  it('has only valid PromQL in the dashboard', async () => {
    const exprs = await dashboardExprs();
    expect(exprs.length).to.be.greaterThan(20);
    const rules = ['groups:', '  - name: dashboard', '    rules:'];
    exprs.forEach(({ expr }, i) => rules.push(`      - record: dashboard:expr${i}`, `        expr: ${JSON.stringify(asPromql(expr))}`));
    await writeFile(path.join(dir, 'dashboard-rules.yml'), `${rules.join('\n')}\n`);
    const { stdout } = await run('promtool', ['check', 'rules', path.join(dir, 'dashboard-rules.yml')]);
    expect(stdout).to.include(`SUCCESS: ${exprs.length} rules found`);
  });

  it('uses only pod_* and nodejs_* metrics that pod-health really exposes', async function () {
    this.timeout(20_000);
    const pod = await startPodUnderTest();
    try {
      const exposed = await (await fetch(`${pod.url}/metrics`)).text();
      const names = new Set([...exposed.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!]));
      const sources = [...(await dashboardExprs()).map((e) => e.expr), await readFile(ALERTS, 'utf8')];
      const used = new Set(sources.flatMap((s) => [...s.matchAll(/\b(pod_[a-z_]+|nodejs_[a-z_0-9]+)\b/g)].map((m) => m[1]!)));
      // The proxy's own pod_proxy_* metrics come from pod-proxy through the service label.
      const missing = [...used].filter((n) => !n.startsWith('pod_proxy_') && !names.has(n));
      expect(missing).to.deep.equal([]);
    } finally {
      await pod.close();
    }
  });
});
