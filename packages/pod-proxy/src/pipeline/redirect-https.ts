// Optional first step on the plain-HTTP listener: send every request to the HTTPS listener (308).
import type { EdgeContext, Step } from './context';

export function createRedirectHttps(publicPort: () => number): Step {
  return function redirectHttps(ctx: EdgeContext): boolean {
    const res = ctx.res;
    if (res === null) return false;
    const host = (ctx.req.headers.host ?? 'localhost').replace(/:\d+$/, '');
    // Only a plain host name may end up in Location; anything else gets a neutral one.
    const safeHost = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host) ? host : 'localhost';
    const tlsPort = publicPort();
    res.statusCode = 308;
    res.setHeader('location', `https://${safeHost}${tlsPort === 443 ? '' : `:${tlsPort}`}${ctx.req.url ?? '/'}`);
    res.setHeader('content-length', 0);
    res.end();
    return true;
  };
}
