// Step 7: refuse a declared Content-Length above the route's limit before reading any of it;
// chunked bodies are counted while they stream (see forward).
import type { EdgeContext } from './context';

export function limitBody(ctx: EdgeContext): boolean {
  const route = ctx.route;
  if (route === null || route.kind !== 'upstream') return false;
  const declared = ctx.req.headers['content-length'];
  if (declared === undefined || Number(declared) <= route.config.bodyLimitBytes) return false;
  // The body is not read, so the connection cannot be reused.
  ctx.res?.setHeader('connection', 'close');
  ctx.answer('payload_too_large', `request body over ${route.config.bodyLimitBytes} bytes`);
  return true;
}
