// Aggregation rules: turns a snapshot into an application/health+json report
// (draft-inadarei-api-health-check). Overall status is the worst check; a non-critical
// service can only warn; a missing reading warns rather than fails.
import type { HealthStatus } from './collectors/probes';
import type { Snapshot } from './collector-registry';
import type { Thresholds } from './config';
import type { RestartWindow } from './restart-window';

export type { HealthStatus };

export interface CheckResult {
  componentId?: string;
  componentType?: string;
  observedValue?: number | string;
  observedUnit?: string;
  status: HealthStatus;
  time: string;
  output?: string;
}

export interface HealthReport {
  status: HealthStatus;
  version: string;
  serviceId: string;
  description: string;
  checks: Record<string, CheckResult[]>;
}

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'pass');
}

function above(value: number, warnAt: number, failAt: number): HealthStatus {
  return value >= failAt ? 'fail' : value >= warnAt ? 'warn' : 'pass';
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const STATE_STATUS: Record<string, HealthStatus> = {
  RUNNING: 'pass',
  STARTING: 'warn',
  BACKOFF: 'warn',
  EXITED: 'fail',
  STOPPED: 'fail',
  FATAL: 'fail',
};

export function evaluateHealth(snapshot: Snapshot | null, thresholds: Thresholds, restarts: RestartWindow): HealthReport {
  const report: HealthReport = {
    status: 'pass',
    version: '1',
    serviceId: 'pod-health',
    description: 'Core Pod health',
    checks: {},
  };
  if (!snapshot) {
    report.status = 'fail';
    report.checks['pod-health:collection'] = [
      { status: 'fail', time: new Date().toISOString(), output: 'first collection has not completed yet' },
    ];
    return report;
  }
  const time = new Date(snapshot.at).toISOString();
  const add = (key: string, result: Omit<CheckResult, 'time'>): void => {
    report.checks[key] = [{ ...result, time }];
  };
  const { memory, filesystem, services = [], probes = [] } = snapshot.readings;
  const critical = new Map(services.map((s) => [s.name, s.critical]));
  const soften = (name: string, status: HealthStatus): HealthStatus =>
    status === 'fail' && critical.get(name) === false ? 'warn' : status;

  for (const p of probes) {
    const slow = p.latencySeconds * 1000 >= thresholds.probeWarnMs;
    const status = p.status === 'pass' && slow ? 'warn' : p.status;
    add(`${p.service}:responseTime`, {
      componentId: p.service,
      componentType: 'component',
      observedValue: round(p.latencySeconds * 1000),
      observedUnit: 'ms',
      status: soften(p.service, status),
      ...(p.error ? { output: p.error } : slow ? { output: `slower than ${thresholds.probeWarnMs} ms` } : {}),
    });
  }
  for (const s of services) {
    add(`${s.name}:state`, {
      componentId: s.name,
      componentType: 'system',
      observedValue: s.state,
      status: soften(s.name, STATE_STATUS[s.state] ?? 'fail'),
    });
    const recent = restarts.restartsInWindow(s.name);
    add(`${s.name}:restarts`, {
      componentId: s.name,
      componentType: 'system',
      observedValue: recent,
      observedUnit: `restarts per ${thresholds.restartWindowSeconds} s`,
      status: soften(s.name, above(recent, thresholds.restartsWarn, thresholds.restartsFail)),
    });
  }
  if (memory) {
    const ratio = memory.workingSetBytes / memory.limitBytes;
    add('memory:utilization', {
      componentType: 'system',
      observedValue: round(ratio * 100, 1),
      observedUnit: 'percent',
      status: above(ratio, thresholds.memoryWarnRatio, thresholds.memoryFailRatio),
      output: `working set ${memory.workingSetBytes} of ${memory.limited ? 'limit' : 'host total'} ${memory.limitBytes} bytes (${memory.source})`,
    });
  }
  if (filesystem) {
    const free = filesystem.sizeBytes > 0 ? filesystem.availBytes / filesystem.sizeBytes : 1;
    add('disk:free', {
      componentId: filesystem.mountpoint,
      componentType: 'system',
      observedValue: round(free * 100, 1),
      observedUnit: 'percent',
      status: free <= thresholds.diskFreeFailRatio ? 'fail' : free <= thresholds.diskFreeWarnRatio ? 'warn' : 'pass',
    });
  }
  for (const [name, error] of Object.entries(snapshot.errors)) {
    add(`collector:${name}`, { componentType: 'system', status: 'warn', output: error });
  }
  report.status = worst(Object.values(report.checks).flat().map((c) => c.status));
  return report;
}
