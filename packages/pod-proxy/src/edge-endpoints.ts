// The edge's own endpoints: /health and /status from pod-health (falling back to the proxy's view of
// its upstreams when pod-health does not answer in time), /metrics for authorised scrapers only, and
// /livez (the proxy process answers; touches nothing else: a cheap liveness probe). /health, /status and
// /metrics are rate-limited per client, and the /health and /status answers are shared for
// PROXY_HEALTH_CACHE_MS, so a flood of them never reaches pod-health or turns readiness red.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { ProxyConfig } from './config';
import { createDocumentFetcher, type DocumentFetcher, type FetchedDocument } from './document-fetcher';
import type { EdgeMetrics } from './metrics';
import type { EdgeContext, FailureHandler } from './pipeline/context';
import type { LocalRoute, RatePolicy, UpstreamRoute } from './pipeline/route-table';
import { addRedisCheck, redisCheck, redisCheckName, statusWithRedis } from './rate-limit-health';
import type { RedisTokenBuckets } from './redis-token-buckets';
import { TokenBuckets } from './token-buckets';

function send(ctx: EdgeContext, status: number, contentType: string, body: Buffer | string): void {
  const res = ctx.res!;
  if (res.destroyed || res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

function relay(ctx: EdgeContext, document: FetchedDocument): void {
  send(ctx, document.status, document.contentType, document.body);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

const livezBody = JSON.stringify({ status: 'pass' });

/**
 * One answer shared by every caller for `ttlMs` (0: only by callers that arrive while it is produced),
 * so N concurrent or repeated requests cost one fetch.
 */
export function sharedAnswer<T>(ttlMs: number, produce: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let cached: { at: number; value: T } | null = null;
  let pending: Promise<T> | null = null;
  return () => {
    if (cached !== null && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
    pending ??= produce().then((value) => {
      cached = { at: now(), value };
      pending = null;
      return value;
    }, (error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}

export interface EdgeEndpointOptions {
  shared?: RedisTokenBuckets | null;
  onFailure: FailureHandler;
  now?: () => number;
}

export function createEdgeEndpoints(config: ProxyConfig, routes: readonly UpstreamRoute[], metrics: EdgeMetrics,
  { shared = null, onFailure, now }: EdgeEndpointOptions) {
  const podHealth = createDocumentFetcher(config.healthUrl, config.healthTimeoutMs);
  const probes = new Map<UpstreamRoute, DocumentFetcher>(
    routes.map((route) => [route, createDocumentFetcher(route.config.target, config.healthTimeoutMs)]));
  const tokenDigest = config.metricsToken === null ? null : digest(config.metricsToken);
  const allowed = new Set(config.metricsAllow);

  /** Probes every upstream's health path; updates the passive view as a side effect. */
  async function probeUpstreams() {
    return Promise.all(routes.map(async (route) => {
      const started = performance.now();
      const answer = await probes.get(route)!.fetchDocument(route.config.healthPath);
      const reachable = answer !== null && answer.status < 500;
      if (reachable) route.upstream.markUp();
      else route.upstream.markDown(answer === null ? 'no answer' : `status ${answer.status}`);
      return { route, reachable, ms: performance.now() - started, upstream: route.upstream };
    }));
  }

  async function healthDocument(): Promise<FetchedDocument> {
    const answer = await podHealth.fetchDocument('/health');
    if (answer !== null) return shared === null ? answer : addRedisCheck(answer, shared);
    const results = await probeUpstreams();
    const reachable = results.every((result) => result.reachable) ? 'pass' : 'fail';
    const status = shared === null ? reachable : statusWithRedis(reachable, shared);
    const checks: Record<string, unknown[]> = shared === null ? {} : { [redisCheckName]: [redisCheck(shared)] };
    for (const result of results) {
      checks[`${result.route.name}:responseTime`] = [{
        componentType: 'service',
        observedValue: Math.round(result.ms * 100) / 100,
        observedUnit: 'ms',
        status: result.reachable ? 'pass' : 'fail',
        time: new Date().toISOString(),
        ...(result.reachable ? {} : { output: result.upstream.lastError ?? 'unreachable' }),
      }];
    }
    const body = JSON.stringify({
      status,
      description: 'Core Pod (proxy view: pod-health is not answering)',
      notes: ['pod-health did not answer; this is the proxy\'s own probe of its upstreams'],
      checks,
    });
    return { status: status === 'fail' ? 503 : 200, contentType: 'application/health+json', body: Buffer.from(body) };
  }

  async function statusDocument(): Promise<FetchedDocument> {
    const answer = await podHealth.fetchDocument('/status');
    if (answer !== null) return answer;
    const results = await probeUpstreams();
    const memory = process.memoryUsage.rss();
    const cpu = process.cpuUsage();
    const services = [
      ...results.map((result) => ({
        name: result.route.name, pid: null, state: result.reachable ? 'RUNNING' : 'UNREACHABLE',
        uptime: null, restarts: null, cpu: null, memory: null, source: 'proxy',
        since: new Date(result.upstream.since).toISOString(),
      })),
      {
        name: 'proxy', pid: process.pid, state: 'RUNNING', uptime: Math.round(process.uptime()), restarts: null,
        cpu: (cpu.user + cpu.system) / 1e6, memory, source: 'proxy',
      },
    ];
    return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify(services)) };
  }

  const cachedHealth = sharedAnswer(config.healthCacheMs, healthDocument, now);
  const cachedStatus = sharedAnswer(config.healthCacheMs, statusDocument, now);
  const health = async (ctx: EdgeContext) => relay(ctx, await cachedHealth());
  const status = async (ctx: EdgeContext) => relay(ctx, await cachedStatus());

  function authorisedScraper(ctx: EdgeContext): boolean {
    if (allowed.has(ctx.clientIp)) return true;
    const header = ctx.req.headers.authorization;
    if (tokenDigest === null || header === undefined || !header.startsWith('Bearer ')) return false;
    // Compare fixed-length digests so neither content nor length leaks through timing.
    return timingSafeEqual(digest(header.slice(7).trim()), tokenDigest);
  }

  async function metricsEndpoint(ctx: EdgeContext): Promise<void> {
    if (!authorisedScraper(ctx)) {
      ctx.answer('forbidden', 'metrics are only served to authorised scrapers');
      return;
    }
    const answer = await podHealth.fetchDocument('/metrics', Math.max(config.healthTimeoutMs, 2000));
    if (answer !== null) return relay(ctx, answer);
    send(ctx, 200, metrics.registry.contentType, await metrics.registry.metrics());
  }

  // One bucket per client for all of the edge's own endpoints that do work.
  const policy: RatePolicy = { name: 'edge', ratePerSecond: config.edgeRatePerSecond, burst: config.edgeBurst };
  const limiter = new TokenBuckets({
    ratePerSecond: policy.ratePerSecond, burst: policy.burst, maxBuckets: config.rateLimitMaxBuckets, ...(now ? { now } : {}),
  });

  function local(name: string, path: string, handler: (ctx: EdgeContext) => Promise<void>, limited = true): LocalRoute {
    return {
      kind: 'local', name, path,
      limiter: limited ? limiter : null,
      policy: limited ? policy : null,
      handle(ctx) {
        const method = ctx.req.method;
        if (method !== 'GET' && method !== 'HEAD') {
          ctx.answer('method_not_allowed', `${path} answers GET and HEAD only`, { allow: 'GET, HEAD' });
          return;
        }
        handler(ctx).catch((error: unknown) => onFailure(ctx, name, error));
      },
    };
  }

  async function livez(ctx: EdgeContext): Promise<void> {
    send(ctx, 200, 'application/health+json', livezBody);
  }

  return {
    routes: [local('livez', '/livez', livez, false), local('health', '/health', health), local('status', '/status', status), local('metrics', '/metrics', metricsEndpoint)],
    limiter,
    close(): void {
      podHealth.close();
      for (const probe of probes.values()) probe.close();
    },
  };
}
