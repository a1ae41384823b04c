// Step 1: keep a well-formed X-Request-Id from the client or generate one; echo it back and upstream.
import { randomUUID } from 'node:crypto';
import type { EdgeContext } from './context';

const validRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export function assignRequestId(ctx: EdgeContext): boolean {
  const given = ctx.req.headers['x-request-id'];
  ctx.requestId = typeof given === 'string' && validRequestId.test(given) ? given : randomUUID();
  ctx.req.headers['x-request-id'] = ctx.requestId;
  ctx.res?.setHeader('x-request-id', ctx.requestId);
  return false;
}
