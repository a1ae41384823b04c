// A real Prometheus (Debian package) on a free loopback port scrapes the running pod-health and
// answers a query for one of its series.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, until } from './loopback-servers';
import { startPodUnderTest, type PodUnderTest } from './pod-under-test';

interface QueryResult {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('Prometheus scraping pod-health', function () {
  this.timeout(60_000);
  let pod: PodUnderTest;
  let dir: string;
  let prometheus: ChildProcess;
  let promUrl: string;
  let log = '';

  before(async () => {
    pod = await startPodUnderTest();
    dir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-prom-'));
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(config, [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: pod-health',
      `    static_configs: [{ targets: ["127.0.0.1:${pod.port}"] }]`,
      '',
    ].join('\n'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await pod.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scrapes the health process and returns the pod working-set series from a query', async () => {
    const query = async (): Promise<QueryResult | null> => {
      try {
        const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('pod_memory_working_set_bytes')}`);
        return res.ok ? ((await res.json()) as QueryResult) : null;
      } catch {
        return null;
      }
    };
    const result = await until(query, (r) => (r?.data.result.length ?? 0) > 0, 45_000).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus log:\n${log.slice(-2000)}`);
    });
    const [series] = result!.data.result;
    expect(series!.metric).to.deep.include({ __name__: 'pod_memory_working_set_bytes', job: 'pod-health' });
    expect(Number(series!.value[1])).to.be.greaterThan(0);
    const up = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('nodejs_heap_size_used_bytes{service="auth"}')}`);
    expect(((await up.json()) as QueryResult).data.result).to.have.length(1);
  });
});
