// Step 4: canonicalise the path; what routing matches is exactly what the upstream receives.
import { normaliseTarget } from '../path-normaliser';
import type { EdgeContext } from './context';

export function normalisePath(ctx: EdgeContext): boolean {
  const result = normaliseTarget(ctx.req.url ?? '');
  if (!result.ok) {
    ctx.answer('invalid_path', result.reason);
    return true;
  }
  ctx.path = result.path;
  if (result.url !== ctx.req.url) ctx.req.url = result.url;
  return false;
}
