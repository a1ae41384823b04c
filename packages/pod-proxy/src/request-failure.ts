// The edge's answer to its own bugs: an error raised while handling one request ends that request
// (500 problem+json if nothing was sent yet, otherwise a closed connection), is logged with the
// request id and counted; it never reaches the process's uncaughtException policy.
import type { Logger } from 'pino';
import type { EdgeMetrics } from './metrics';
import type { EdgeContext, FailureHandler } from './pipeline/context';

export function createRequestFailureHandler(logger: Logger, metrics: EdgeMetrics): FailureHandler {
  return function failRequest(ctx: EdgeContext, stage: string, error: unknown): void {
    metrics.requestFailure(stage);
    try {
      logger.error({ err: error, stage, requestId: ctx.requestId, method: ctx.req.method, path: ctx.path || ctx.req.url,
        clientIp: ctx.clientIp }, 'request failed inside the edge');
    } catch {
      // A logger that throws must not turn one failed request into a dead process.
    }
    ctx.cancelUpstream();
    ctx.answer('internal_error', 'the edge failed while handling this request', { connection: 'close' });
  };
}
