// Step 6: token-bucket rate limit per client IP and route; over the limit → 429 with Retry-After
// and the IETF RateLimit-Policy / RateLimit headers (draft-ietf-httpapi-ratelimit-headers).
import type { EdgeMetrics } from '../metrics';
import type { EdgeContext, Step } from './context';

export function createLimitRate(metrics: EdgeMetrics): Step {
  return function limitRate(ctx: EdgeContext): boolean {
    const route = ctx.route;
    if (route === null || route.kind !== 'upstream') return false;
    const decision = route.limiter.take(ctx.clientIp);
    if (decision.allowed) {
      ctx.rateLimit = 'allowed';
      return false;
    }
    ctx.rateLimit = 'limited';
    metrics.rateLimited(route.name);
    const { name, ratePerSecond, burst } = route.config;
    // q = bucket capacity, w = seconds for an empty bucket to refill completely.
    const window = Math.max(1, Math.ceil(burst / ratePerSecond));
    ctx.answer('rate_limited', `more than ${ratePerSecond} requests per second (burst ${burst}) to ${name}`, {
      'retry-after': String(decision.retryAfterSeconds),
      'ratelimit-policy': `"${name}";q=${burst};w=${window}`,
      ratelimit: `"${name}";r=0;t=${decision.retryAfterSeconds}`,
    });
    return true;
  };
}
