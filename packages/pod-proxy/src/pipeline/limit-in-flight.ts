// Step 7: cap the requests one client has in flight to the upstreams, so slow or stalled requests from
// one client cannot occupy the pools everyone shares (429 too_many_in_flight beyond the cap). The slot
// is released when the response closes (or the websocket ends), see proxy.ts.
import type { ClientSlots } from '../client-slots';
import type { EdgeMetrics } from '../metrics';
import type { EdgeContext, Step } from './context';

export function createLimitInFlight(slots: ClientSlots, max: number, retryAfterSeconds: number, metrics: EdgeMetrics): Step {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  return function limitInFlight(ctx: EdgeContext): boolean {
    const route = ctx.route;
    if (route === null || route.kind !== 'upstream') return false;
    if (slots.acquire(ctx.clientKey)) {
      ctx.slotKey = ctx.clientKey;
      return false;
    }
    metrics.clientLimit('in_flight');
    ctx.answer('too_many_in_flight', `more than ${max} requests in flight from this client`, headers);
    return true;
  };
}
