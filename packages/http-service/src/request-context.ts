// Per-request id (kept from X-Request-Id when well-formed, generated otherwise), a child logger
// on req.log, and one access-log line when the response finishes.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Machine traffic (health probes, scrapes, the revocation poll every second): logged at debug when it succeeds. */
export const quietPaths: RegExp[] = [/\/health$/, /^\/metrics$/, /^\/internal\/v1\/revocations$/];

export interface RequestContextOptions {
  logger: Logger;
  quiet?: RegExp[];
}

export function requestContext({ logger, quiet = quietPaths }: RequestContextOptions): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    req.id = requestIdFrom(req.headers['x-request-id']);
    req.log = logger.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0] ?? '';
      const level = res.statusCode < 400 && quiet.some((re) => re.test(path)) ? 'debug' : 'info';
      req.log[level](
        {
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Math.round(ms * 100) / 100,
          bytes: Number(res.getHeader('content-length') ?? 0),
          ip: req.socket.remoteAddress,
        },
        'request',
      );
    });
    next();
  };
}
