// Step 6: token-bucket rate limit per client and route (the edge's own /health, /status and /metrics
// share one bucket per client, local only); over the limit → 429 with Retry-After
// and the IETF RateLimit-Policy / RateLimit headers (draft-ietf-httpapi-ratelimit-headers).
// With Redis, the local bucket is asked first (it counts only this proxy's admitted requests, so when
// it is empty the fleet's is too: floods are refused without a round trip), then the fleet-wide one;
// when Redis does not answer, the local decision stands.
import type { EdgeMetrics } from '../metrics';
import type { RedisTokenBuckets, SharedDecision } from '../redis-token-buckets';
import type { EdgeContext, Step } from './context';
import type { RatePolicy, UpstreamRoute } from './route-table';

export function createLimitRate(metrics: EdgeMetrics, shared: RedisTokenBuckets | null = null): Step {
  function refuse(ctx: EdgeContext, policy: RatePolicy, retryAfterSeconds: number): true {
    ctx.rateLimit = 'limited';
    metrics.rateLimited(policy.name);
    const { name, ratePerSecond, burst } = policy;
    // q = bucket capacity, w = seconds for an empty bucket to refill completely.
    const window = Math.max(1, Math.ceil(burst / ratePerSecond));
    ctx.answer('rate_limited', `more than ${ratePerSecond} requests per second (burst ${burst}) to ${name}`, {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-policy': `"${name}";q=${burst};w=${window}`,
      ratelimit: `"${name}";r=0;t=${retryAfterSeconds}`,
    });
    return true;
  }

  function decidedLocally(ctx: EdgeContext, route: UpstreamRoute): false {
    ctx.rateLimit = 'local';
    metrics.localDecision(route.name);
    return false;
  }

  function applyShared(ctx: EdgeContext, route: UpstreamRoute, decision: SharedDecision | null): boolean {
    if (decision === null) return decidedLocally(ctx, route);
    if (decision.allowed) {
      ctx.rateLimit = 'allowed';
      return false;
    }
    route.limiter.refund(ctx.clientKey);
    return refuse(ctx, route.config, decision.retryAfterSeconds);
  }

  return function limitRate(ctx: EdgeContext): boolean | Promise<boolean> {
    const route = ctx.route;
    if (route === null) return false;
    if (route.kind === 'local') {
      if (route.limiter === null) return false;
      const local = route.limiter.take(ctx.clientKey);
      if (!local.allowed) return refuse(ctx, route.policy!, local.retryAfterSeconds);
      ctx.rateLimit = 'allowed';
      return false;
    }
    const decision = route.limiter.take(ctx.clientKey);
    if (!decision.allowed) return refuse(ctx, route.config, decision.retryAfterSeconds);
    if (shared === null) {
      ctx.rateLimit = 'allowed';
      return false;
    }
    const pending = shared.take(route.config, ctx.clientKey);
    if (pending === null) return decidedLocally(ctx, route);
    return pending.then((answer) => applyShared(ctx, route, answer));
  };
}
