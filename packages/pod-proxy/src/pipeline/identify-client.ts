// Step 2: decide which client the request counts against (rate limits, in-flight caps, logs,
// X-Forwarded-For, X-Real-IP).
import { createClientKey, resolveClient, TrustedProxies } from '../client-address';
import type { EdgeContext, Step } from './context';

export function createIdentifyClient(trustedProxies: readonly string[], ipv6PrefixBits: number): Step {
  const trusted = new TrustedProxies(trustedProxies);
  const clientKey = createClientKey(ipv6PrefixBits);
  return function identifyClient(ctx: EdgeContext): boolean {
    const client = resolveClient(ctx.socket.remoteAddress, ctx.req.headers['x-forwarded-for'], trusted);
    ctx.clientIp = client.ip;
    ctx.clientKey = clientKey(client.ip);
    ctx.forwardedFor = client.forwardedFor;
    return false;
  };
}
