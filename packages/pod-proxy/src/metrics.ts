// The proxy's Prometheus metrics (prom-client), with labelled children cached so a request costs no hashing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

type RequestLabels = 'route' | 'method' | 'status_code';

export class EdgeMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<RequestLabels>;
  private readonly duration: Histogram<RequestLabels>;
  private readonly limited: Counter<'route'>;
  private readonly upstreamErrors: Counter<'route' | 'reason'>;
  private readonly failures: Counter<'stage'>;
  private readonly refusals: Counter<'reason'>;
  private redisUp: Gauge | null = null;
  private localDecisions: Counter<'route'> | null = null;
  private readonly localDecisionChildren = new Map<string, { inc(): void }>();
  private readonly children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  constructor(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total', help: 'Requests answered by the edge',
      labelNames: ['route', 'method', 'status_code'], registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds', help: 'Time from request to response end at the edge',
      labelNames: ['route', 'method', 'status_code'], registers: [this.registry],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.limited = new Counter({
      name: 'pod_proxy_rate_limited_total', help: 'Requests refused by the rate limit',
      labelNames: ['route'], registers: [this.registry],
    });
    this.upstreamErrors = new Counter({
      name: 'pod_proxy_upstream_errors_total', help: 'Upstream failures (refused, reset, timeout)',
      labelNames: ['route', 'reason'], registers: [this.registry],
    });
    this.failures = new Counter({
      name: 'pod_proxy_request_failures_total',
      help: 'Errors raised inside the edge while handling a request (each ended that request only); should stay 0',
      labelNames: ['stage'], registers: [this.registry],
    });
    this.refusals = new Counter({
      name: 'pod_proxy_client_limits_total',
      help: 'Requests or connections refused or cut by a per-client guard (in flight, connections, slow body, pool wait)',
      labelNames: ['reason'], registers: [this.registry],
    });
  }

  requestFailure(stage: string): void {
    this.failures.inc({ stage });
  }

  clientLimit(reason: 'in_flight' | 'connections' | 'slow_body' | 'pool_wait'): void {
    this.refusals.inc({ reason });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.children.get(key);
    if (child === undefined) {
      const labels: LabelValues<RequestLabels> = { route, method, status_code: status };
      child = { count: this.requests.labels(labels), time: this.duration.labels(labels) };
      // Methods are limited by the allow-list and statuses to ~60 values, so this map stays small.
      this.children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  rateLimited(route: string): void {
    this.limited.inc({ route });
  }

  /** Registers the shared-rate-limit metrics; only when Redis is configured, so their absence means "not used". */
  trackRedis(): void {
    if (this.redisUp !== null) return;
    this.redisUp = new Gauge({
      name: 'pod_proxy_ratelimit_redis_up',
      help: '1 while rate limits are shared through Redis, 0 while this proxy limits with its local buckets only',
      registers: [this.registry],
    });
    this.redisUp.set(0);
    this.localDecisions = new Counter({
      name: 'pod_proxy_ratelimit_local_decisions_total',
      help: 'Requests admitted by the local bucket alone because Redis was not answering',
      labelNames: ['route'], registers: [this.registry],
    });
  }

  redisAvailability(up: boolean): void {
    this.redisUp?.set(up ? 1 : 0);
  }

  localDecision(route: string): void {
    if (this.localDecisions === null) return;
    // Every request while Redis is down: a cached child, no label hashing.
    let child = this.localDecisionChildren.get(route);
    if (child === undefined) {
      child = this.localDecisions.labels({ route });
      this.localDecisionChildren.set(route, child);
    }
    child.inc();
  }

  upstreamError(route: string, reason: string): void {
    this.upstreamErrors.inc({ route, reason });
  }
}
