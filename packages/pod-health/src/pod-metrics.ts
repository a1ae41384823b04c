// The pod's own Prometheus metrics (DESIGN §4 names), read from the cached snapshot at scrape
// time: each metric's collect() copies snapshot values, so a scrape never touches /proc or PM2.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Snapshot } from './collector-registry';
import type { HealthReport } from './health-report';

type Labels = Record<string, string>;
type Rows = Array<[Labels, number]>;

export interface PodMetrics {
  registry: Registry;
  /** Feeds per-tick observations (probe latencies) that are events rather than levels. */
  observe(snapshot: Snapshot): void;
}

export interface PodMetricsSources {
  snapshot(): Snapshot | null;
  report(): HealthReport;
}

const SERVICE_STATES = ['STARTING', 'RUNNING', 'BACKOFF', 'EXITED', 'FATAL', 'STOPPED'];
const HEALTH_STATES = ['pass', 'warn', 'fail'];

export function createPodMetrics(sources: PodMetricsSources): PodMetrics {
  const registry = new Registry();

  const current = (rows: (s: Snapshot) => Rows): Rows => {
    const snapshot = sources.snapshot();
    return snapshot ? rows(snapshot) : [];
  };
  type Define = (name: string, help: string, labelNames: string[], rows: (s: Snapshot) => Rows) => void;
  const level: Define = (name, help, labelNames, rows) => {
    new Gauge({ name, help, labelNames, registers: [registry], collect() {
      this.reset();
      for (const [labels, value] of current(rows)) this.set(labels, value);
    } });
  };
  // Totals come from the kernel or PM2 as absolute values; reset + inc exposes them as counters.
  const total: Define = (name, help, labelNames, rows) => {
    new Counter({ name, help, labelNames, registers: [registry], collect() {
      this.reset();
      for (const [labels, value] of current(rows)) this.inc(labels, Math.max(0, value));
    } });
  };
  const memory = (s: Snapshot) => s.readings.memory;
  const cpu = (s: Snapshot) => s.readings.cpu;
  const fs = (s: Snapshot) => s.readings.filesystem;
  const services = (s: Snapshot) => s.readings.services ?? [];
  const row = <T>(value: T | undefined | null, labels: (v: T) => Labels, n: (v: T) => number | null): Rows => {
    if (value === undefined || value === null) return [];
    const x = n(value);
    return x === null ? [] : [[labels(value), x]];
  };

  total('pod_cpu_usage_seconds_total', 'CPU time used by the pod (cgroup, else host).', ['source'], (s) =>
    row(cpu(s), (c) => ({ source: c.source }), (c) => c.usageSeconds));
  level('pod_cpu_limit_cores', 'CPU cores the pod may use (cgroup quota, else available CPUs).', ['source'], (s) =>
    row(cpu(s), (c) => ({ source: c.source }), (c) => c.limitCores));
  const memoryLevels = [
    ['pod_memory_usage_bytes', 'Memory charged to the pod including page cache.', 'usageBytes'],
    ['pod_memory_working_set_bytes', 'Pod memory minus inactive file cache (what the OOM killer sees).', 'workingSetBytes'],
    ['pod_memory_limit_bytes', 'Pod memory limit (cgroup limit, else host total).', 'limitBytes'],
  ] as const;
  for (const [name, help, field] of memoryLevels) {
    level(name, help, ['source'], (s) => row(memory(s), (m) => ({ source: m.source }), (m) => m[field]));
  }
  total('pod_memory_oom_kills_total', 'Processes killed by the OOM killer in the pod (host-wide without cgroup).', ['source'], (s) =>
    row(memory(s), (m) => ({ source: m.source }), (m) => m.oomKills));
  level('pod_filesystem_size_bytes', 'Size of the filesystem holding the data directory.', ['mountpoint'], (s) =>
    row(fs(s), (f) => ({ mountpoint: f.mountpoint }), (f) => f.sizeBytes));
  level('pod_filesystem_avail_bytes', 'Space available to the pod on the data directory filesystem.', ['mountpoint'], (s) =>
    row(fs(s), (f) => ({ mountpoint: f.mountpoint }), (f) => f.availBytes));
  total('pod_network_receive_bytes_total', 'Bytes received per network interface.', ['interface'], (s) =>
    (s.readings.network ?? []).map((i) => [{ interface: i.interface }, i.receiveBytes]));
  total('pod_network_transmit_bytes_total', 'Bytes sent per network interface.', ['interface'], (s) =>
    (s.readings.network ?? []).map((i) => [{ interface: i.interface }, i.transmitBytes]));

  level('pod_service_up', 'Whether the service answers its health endpoint (or runs, when not probed).', ['service'], (s) => {
    const probes = new Map((s.readings.probes ?? []).map((p) => [p.service, p.status !== 'fail']));
    const names = new Set([...probes.keys(), ...services(s).map((x) => x.name)]);
    return [...names].map((name) => {
      const probed = probes.get(name);
      const running = services(s).find((x) => x.name === name)?.state === 'RUNNING';
      return [{ service: name }, (probed ?? running) ? 1 : 0];
    });
  });
  level('pod_service_status', 'Service state in supervisord vocabulary (1 for the current state).', ['service', 'status'], (s) =>
    services(s).flatMap((x) => SERVICE_STATES.map((st): [Labels, number] => [{ service: x.name, status: st }, x.state === st ? 1 : 0])));
  total('pod_service_restarts_total', 'Restarts of the service since the supervisor started it.', ['service'], (s) =>
    services(s).map((x) => [{ service: x.name }, x.restarts]));
  level('pod_service_start_time_seconds', 'Start time of the service process, seconds since the epoch.', ['service'], (s) =>
    services(s).flatMap((x) => (x.startedAt === null ? [] : [[{ service: x.name }, x.startedAt] as [Labels, number]])));
  level('pod_service_resident_memory_bytes', 'Resident memory of the service process.', ['service'], (s) =>
    services(s).flatMap((x) => (x.residentBytes === null ? [] : [[{ service: x.name }, x.residentBytes] as [Labels, number]])));
  total('pod_service_cpu_seconds_total', 'CPU time of the service process (user + system).', ['service'], (s) =>
    services(s).flatMap((x) => (x.cpuSeconds === null ? [] : [[{ service: x.name }, x.cpuSeconds] as [Labels, number]])));

  level('pod_health_check_status', 'Health checks of the pod (1 for the current status).', ['check', 'status'], () =>
    Object.entries(sources.report().checks).flatMap(([check, [result]]) =>
      HEALTH_STATES.map((st): [Labels, number] => [{ check, status: st }, result?.status === st ? 1 : 0])));
  level('pod_health_status', 'Overall pod health (1 for the current status).', ['status'], () => {
    const status = sources.report().status;
    return HEALTH_STATES.map((st) => [{ status: st }, status === st ? 1 : 0]);
  });
  level('pod_health_collector_duration_seconds', 'Wall time of the last run of each collector.', ['collector'], (s) =>
    Object.entries(s.costs).map(([collector, seconds]) => [{ collector }, seconds ?? 0]));
  level('pod_health_collector_success', 'Whether the last run of each collector succeeded.', ['collector'], (s) =>
    Object.keys(s.costs).map((collector) => [{ collector }, collector in s.errors ? 0 : 1]));
  level('pod_service_metrics_up', 'Whether the service answered its /metrics endpoint.', ['service'], (s) =>
    (s.readings.serviceMetrics ?? []).map((m) => [{ service: m.service }, m.text === null ? 0 : 1]));

  const probeDuration = new Histogram({
    name: 'pod_probe_duration_seconds',
    help: 'Latency of HTTP probes of each service health endpoint.',
    labelNames: ['service', 'result'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  return {
    registry,
    observe(snapshot) {
      for (const p of snapshot.readings.probes ?? []) {
        probeDuration.observe({ service: p.service, result: p.status === 'fail' ? 'failure' : 'success' }, p.latencySeconds);
      }
    },
  };
}
