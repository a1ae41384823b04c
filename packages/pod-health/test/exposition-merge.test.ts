// Re-exposing services' prom-client output under a `service` label.
import { expect } from 'chai';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { mergeExpositions, parseExposition, withServiceLabel } from '../src/exposition-merge';

const AUTH = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{route="/login",code="200"} 5
# HELP nodejs_heap_size_used_bytes Heap used.
# TYPE nodejs_heap_size_used_bytes gauge
nodejs_heap_size_used_bytes 1000
# HELP nodejs_gc_duration_seconds GC.
# TYPE nodejs_gc_duration_seconds histogram
nodejs_gc_duration_seconds_bucket{le="0.1",kind="minor"} 3
nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} 4
nodejs_gc_duration_seconds_sum{kind="minor"} 0.02
nodejs_gc_duration_seconds_count{kind="minor"} 4
`;
const USERS = `# HELP nodejs_heap_size_used_bytes Heap used.
# TYPE nodejs_heap_size_used_bytes gauge
nodejs_heap_size_used_bytes 2000
# HELP pod_service_up Would clash with the pod's own metric.
# TYPE pod_service_up gauge
pod_service_up 1
`;

describe('exposition merge', () => {
  it('groups histogram samples under their family', () => {
    const families = parseExposition(AUTH);
    expect(families.map((f) => [f.name, f.type, f.samples.length])).to.deep.equal([
      ['http_requests_total', 'counter', 1],
      ['nodejs_heap_size_used_bytes', 'gauge', 1],
      ['nodejs_gc_duration_seconds', 'histogram', 4],
    ]);
  });

  it('adds the service label first and keeps an existing one as exported_service', () => {
    expect(withServiceLabel('up 1', 'auth')).to.equal('up{service="auth"} 1');
    expect(withServiceLabel('x{a="b"} 2', 'auth')).to.equal('x{service="auth",a="b"} 2');
    expect(withServiceLabel('x{service="db"} 2', 'auth')).to.equal('x{service="auth",exported_service="db"} 2');
    expect(withServiceLabel('x{} 2', 'auth')).to.equal('x{service="auth"} 2');
  });

  it('emits one HELP and TYPE per family across services and drops reserved names', () => {
    const out = mergeExpositions([{ service: 'auth', text: AUTH }, { service: 'users', text: USERS }], new Set(['pod_service_up']));
    expect(out.match(/# TYPE nodejs_heap_size_used_bytes/g)).to.have.length(1);
    expect(out).to.include('nodejs_heap_size_used_bytes{service="auth"} 1000\nnodejs_heap_size_used_bytes{service="users"} 2000');
    expect(out).to.include('nodejs_gc_duration_seconds_bucket{service="auth",le="0.1",kind="minor"} 3');
    expect(out).not.to.include('pod_service_up');
  });

  it('re-exposes prom-client’s *_total gauges as untyped so promtool accepts the names dashboards use', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const out = mergeExpositions([{ service: 'auth', text: await registry.metrics() }], new Set());
    expect(out).to.include('# TYPE nodejs_active_handles_total untyped');
    expect(out).to.include('# TYPE process_cpu_seconds_total counter');
    expect(out).to.match(/nodejs_eventloop_lag_p99_seconds\{service="auth"\} /);
  });
});
