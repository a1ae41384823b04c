// Step 2: decide which client IP the request counts against (rate limits, logs, X-Forwarded-For).
import { resolveClient } from '../client-address';
import type { EdgeContext, Step } from './context';

export function createIdentifyClient(trustedProxies: readonly string[]): Step {
  const trusted = new Set(trustedProxies);
  return function identifyClient(ctx: EdgeContext): boolean {
    const client = resolveClient(ctx.socket.remoteAddress, ctx.req.headers['x-forwarded-for'], trusted);
    ctx.clientIp = client.ip;
    ctx.forwardedFor = client.forwardedFor;
    return false;
  };
}
