// Health aggregation rules: worst check wins, thresholds for memory, disk, restarts and latency,
// non-critical services only warn, a missing reading warns.
import { expect } from 'chai';
import type { Snapshot } from '../src/collector-registry';
import type { ProbeSample } from '../src/collectors/probes';
import type { ServiceSample } from '../src/collectors/services';
import { loadConfig } from '../src/config';
import { evaluateHealth } from '../src/health-report';
import { createRestartWindow } from '../src/restart-window';

const thresholds = loadConfig({}).thresholds;
const GiB = 1024 ** 3;

function service(name: string, over: Partial<ServiceSample> = {}): ServiceSample {
  return { name, source: 'supervisor', state: 'RUNNING', pid: 10, restarts: 0, startedAt: 1, cpuSeconds: 1, residentBytes: 1, critical: true, ...over };
}
function probe(name: string, over: Partial<ProbeSample> = {}): ProbeSample {
  return { service: name, url: 'http://x', statusCode: 200, status: 'pass', latencySeconds: 0.005, error: null, ...over };
}
function snapshot(readings: Snapshot['readings'], errors: Snapshot['errors'] = {}): Snapshot {
  return {
    at: Date.now(),
    readings: {
      memory: { source: 'cgroup-v2', usageBytes: GiB / 2, workingSetBytes: GiB / 4, limitBytes: GiB, limited: true, oomKills: 0 },
      filesystem: { mountpoint: '/', sizeBytes: 100, availBytes: 50, freeBytes: 50 },
      services: [service('auth')],
      probes: [probe('auth')],
      ...readings,
    },
    costs: {},
    errors,
  };
}
const evaluate = (s: Snapshot | null, window = createRestartWindow(300)) => evaluateHealth(s, thresholds, window);

describe('health aggregation', () => {
  it('passes when every check passes, keyed component:measurement as in the health+json draft', () => {
    const report = evaluate(snapshot({}));
    expect(report.status).to.equal('pass');
    expect(Object.keys(report.checks)).to.have.members(['auth:responseTime', 'auth:state', 'auth:restarts', 'memory:utilization', 'disk:free']);
    expect(report.checks['auth:responseTime']![0]).to.deep.include({ observedValue: 5, observedUnit: 'ms', status: 'pass' });
  });

  it('fails before the first collection has completed', () => {
    expect(evaluate(null).status).to.equal('fail');
  });

  it('fails when a critical service does not answer its health endpoint', () => {
    const report = evaluate(snapshot({ probes: [probe('auth', { statusCode: null, status: 'fail', error: 'ECONNREFUSED' })] }));
    expect(report.status).to.equal('fail');
    expect(report.checks['auth:responseTime']![0]).to.deep.include({ status: 'fail', output: 'ECONNREFUSED' });
  });

  it('only warns when a non-critical service fails', () => {
    const report = evaluate(snapshot({
      services: [service('auth', { critical: false, state: 'FATAL' })],
      probes: [probe('auth', { status: 'fail', statusCode: 503 })],
    }));
    expect(report.status).to.equal('warn');
  });

  it('warns on a slow probe and on a service reporting warn itself', () => {
    expect(evaluate(snapshot({ probes: [probe('auth', { latencySeconds: 1.5 })] })).status).to.equal('warn');
    expect(evaluate(snapshot({ probes: [probe('auth', { status: 'warn' })] })).status).to.equal('warn');
  });

  it('maps supervisor states: BACKOFF warns, FATAL fails', () => {
    expect(evaluate(snapshot({ services: [service('auth', { state: 'BACKOFF' })] })).status).to.equal('warn');
    expect(evaluate(snapshot({ services: [service('auth', { state: 'FATAL' })] })).status).to.equal('fail');
  });

  it('warns at 85 % and fails at 95 % of the memory limit (working set)', () => {
    const at = (ratio: number) => evaluate(snapshot({
      memory: { source: 'cgroup-v2', usageBytes: GiB, workingSetBytes: ratio * GiB, limitBytes: GiB, limited: true, oomKills: 0 },
    })).checks['memory:utilization']![0]!.status;
    expect([at(0.5), at(0.86), at(0.96)]).to.deep.equal(['pass', 'warn', 'fail']);
  });

  it('warns below 10 % and fails below 5 % free disk', () => {
    const at = (avail: number) => evaluate(snapshot({ filesystem: { mountpoint: '/data', sizeBytes: 1000, availBytes: avail, freeBytes: avail } })).status;
    expect([at(500), at(90), at(40)]).to.deep.equal(['pass', 'warn', 'fail']);
  });

  it('counts restarts inside the window: 3 warn, 10 fail, older ones age out', () => {
    const window = createRestartWindow(300);
    const t0 = 1_000_000;
    window.record([{ name: 'auth', restarts: 0 }], t0);
    window.record([{ name: 'auth', restarts: 3 }], t0 + 10_000);
    expect(evaluate(snapshot({}), window).checks['auth:restarts']![0]).to.deep.include({ observedValue: 3, status: 'warn' });
    window.record([{ name: 'auth', restarts: 10 }], t0 + 20_000);
    expect(evaluate(snapshot({}), window).checks['auth:restarts']![0]!.status).to.equal('fail');
    window.record([{ name: 'auth', restarts: 10 }], t0 + 400_000);
    expect(evaluate(snapshot({}), window).checks['auth:restarts']![0]).to.deep.include({ observedValue: 0, status: 'pass' });
  });

  it('warns, not fails, when a collector could not read its source', () => {
    const report = evaluate(snapshot({}, { memory: 'no MemTotal' }));
    expect(report.status).to.equal('warn');
    expect(report.checks['collector:memory']![0]).to.deep.include({ status: 'warn', output: 'no MemTotal' });
  });
});
