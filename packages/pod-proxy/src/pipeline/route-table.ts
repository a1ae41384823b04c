// Step 5: match the normalised path to an upstream route or one of the edge's own endpoints.
import type { RouteConfig } from '../config';
import type { TokenBuckets } from '../token-buckets';
import type { Upstream } from '../upstream';
import type { EdgeContext, Step } from './context';

export interface UpstreamRoute {
  kind: 'upstream';
  name: string;
  config: RouteConfig;
  upstream: Upstream;
  limiter: TokenBuckets;
}

/** What a token bucket's 429 names: the policy, its rate and its size. */
export interface RatePolicy {
  name: string;
  ratePerSecond: number;
  burst: number;
}

export interface LocalRoute {
  kind: 'local';
  name: string;
  path: string;
  /** Per-client bucket for this endpoint (null: not limited, e.g. /livez, which does no work). */
  limiter: TokenBuckets | null;
  policy: RatePolicy | null;
  handle(ctx: EdgeContext): void;
}

export type EdgeRoute = UpstreamRoute | LocalRoute;

export function createMatchRoute(upstreamRoutes: readonly UpstreamRoute[], localRoutes: readonly LocalRoute[]): Step {
  const local = new Map(localRoutes.map((route) => [route.path, route]));
  const prefixes = upstreamRoutes.map((route) => ({ route, exact: route.config.prefix, dir: `${route.config.prefix}/` }));
  return function matchRoute(ctx: EdgeContext): boolean {
    const path = ctx.path;
    for (const candidate of prefixes) {
      if (path.startsWith(candidate.dir) || path === candidate.exact) {
        ctx.route = candidate.route;
        return false;
      }
    }
    const found = local.get(path);
    if (found !== undefined && ctx.res !== null) {
      ctx.route = found;
      return false;
    }
    ctx.answer('not_found', `no route for ${path}`);
    return true;
  };
}
