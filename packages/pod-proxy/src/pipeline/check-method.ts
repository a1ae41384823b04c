// Step 3: refuse methods the pod does not serve (TRACE, CONNECT, WebDAV verbs…) before any routing.
import type { EdgeContext, Step } from './context';

export function createCheckMethod(allowedMethods: readonly string[]): Step {
  const allowed = new Set(allowedMethods);
  const allow = allowedMethods.join(', ');
  return function checkMethod(ctx: EdgeContext): boolean {
    if (allowed.has(ctx.req.method ?? '')) return false;
    ctx.answer('method_not_allowed', `method ${ctx.req.method} is not served here`, { allow });
    return true;
  };
}
