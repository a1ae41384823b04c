// Step 8: refuse a declared Content-Length above the route's limit before reading any of it, note the
// framing as the client sent it (before any header is stripped: forward counts chunked bodies while
// they stream), and put the body under the minimum-rate watch.
import type { BodyDeadlines } from '../body-deadlines';
import type { EdgeContext, Step } from './context';

const closeConnection = { connection: 'close' };

export function createLimitBody(deadlines: BodyDeadlines): Step {
  return function limitBody(ctx: EdgeContext): boolean {
    const route = ctx.route;
    if (route === null || route.kind !== 'upstream') return false;
    const headers = ctx.req.headers;
    ctx.chunked = headers['transfer-encoding'] !== undefined;
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > route.config.bodyLimitBytes) {
      // The body is not read, so the connection cannot be reused.
      ctx.answer('payload_too_large', `request body over ${route.config.bodyLimitBytes} bytes`, closeConnection);
      return true;
    }
    if (ctx.chunked || (declared !== undefined && declared !== '0')) deadlines.watch(ctx);
    return false;
  };
}
