// Last step, run when the response closes: one JSON access-log line and the request metrics.
import type { Logger } from 'pino';
import type { EdgeMetrics } from '../metrics';
import type { EdgeContext } from './context';

export function createLogAccess(logger: Logger, metrics: EdgeMetrics, allowedMethods: readonly string[]) {
  const known = new Set(allowedMethods);
  return function logAccess(ctx: EdgeContext): void {
    const res = ctx.res;
    const durationMs = performance.now() - ctx.startedAt;
    // 499 (client closed request, as NGINX logs it) when the client left before the answer was complete.
    const status = res === null ? 101 : res.writableFinished ? res.statusCode : 499;
    const route = ctx.route === null ? 'none' : ctx.route.name;
    const method = ctx.req.method ?? '';
    metrics.request(route, known.has(method) ? method : 'OTHER', status, durationMs / 1000);
    logger.info({
      method,
      path: ctx.path === '' ? ctx.req.url : ctx.path,
      status,
      durationMs: Math.round(durationMs * 1000) / 1000,
      bytes: ctx.socket.bytesWritten - ctx.bytesAtStart,
      upstream: ctx.route !== null && ctx.route.kind === 'upstream' ? ctx.route.name : null,
      clientIp: ctx.clientIp,
      requestId: ctx.requestId,
      rateLimit: ctx.rateLimit,
    }, 'request');
  };
}
