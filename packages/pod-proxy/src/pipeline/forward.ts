// Step 8: hand the request to its upstream through http-proxy-3 (or to the edge's own endpoint),
// and turn upstream failures into 503/504/502 problem answers.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { stripHopByHop, stripResponseHopByHop } from '../hop-by-hop';
import type { EdgeMetrics } from '../metrics';
import { classifyUpstreamError, type Upstream } from '../upstream';
import { EdgeContext } from './context';

export interface ForwardOptions {
  upstreamTimeoutMs: number;
  retryAfterSeconds: number;
  metrics: EdgeMetrics;
}

const kProxyReqContext = Symbol('pod-proxy.proxyReq.context');
// Characters WHATWG URL parsing keeps as they are in a path and query (no quote, space, #, \\, <>, {}, |, ^, `).
const plainUrl = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*$/;
// For the rare URL the parser would rewrite: let http-proxy-3 parse it as it normally does. Passed per call
// only then, because per-call options give http-proxy-3 a differently shaped options object on every
// request (inline-cache misses in all its passes cost more than the parse saved: measured with perf).
const parseUrl = { toProxy: false } as const;

function onUpstreamTimeout(this: ClientRequest): void {
  const ctx = (this as unknown as Record<symbol, EdgeContext>)[kProxyReqContext];
  if (ctx !== undefined) ctx.upstreamTimedOut = true;
  this.destroy();
}

/** Counts a chunked body as it streams and stops it at the route's limit. */
class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number, private readonly onExceeded: () => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.onExceeded();
      done();
      return;
    }
    done(null, chunk);
  }
}

export function createForward(upstreams: readonly Upstream[], options: ForwardOptions) {
  const { metrics } = options;
  const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };

  for (const upstream of upstreams) {
    upstream.proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const ctx = EdgeContext.of(req);
      ctx.proxyReq = proxyReq;
      (proxyReq as unknown as Record<symbol, EdgeContext>)[kProxyReqContext] = ctx;
      proxyReq.setTimeout(options.upstreamTimeoutMs, onUpstreamTimeout);
    });
    upstream.proxy.on('proxyRes', (proxyRes: IncomingMessage, _req: IncomingMessage, res: ServerResponse) => {
      upstream.markUp();
      stripResponseHopByHop(proxyRes.headers as Record<string, unknown>);
      // The client's Connection header was stripped before forwarding, so http-proxy-3 would answer
      // "keep-alive" even to a client that asked to close; say what Node decided for this client.
      if (!res.shouldKeepAlive) proxyRes.headers.connection = 'close';
    });
    // Without a listener http-proxy-3 rethrows; every error also reaches the per-call callback.
    upstream.proxy.on('error', () => {});
    upstream.proxy.on('econnreset', () => {});
  }

  function onError(error: Error, req: IncomingMessage, resOrSocket: ServerResponse | Socket): void {
    const ctx = EdgeContext.of(req);
    const route = ctx.route;
    if (route === null || route.kind !== 'upstream') return;
    if (ctx.res === null && resOrSocket !== ctx.socket) return;
    // The client went away first: nothing to answer, and not the upstream's fault.
    if (ctx.res !== null && (ctx.res.writableEnded || ctx.req.socket.destroyed)) return;
    const { code, reason } = classifyUpstreamError(error as NodeJS.ErrnoException, ctx.upstreamTimedOut);
    metrics.upstreamError(route.name, reason);
    if (code === 'upstream_unavailable') route.upstream.markDown(reason);
    const detail = code === 'upstream_timeout'
      ? `${route.name} did not answer within ${options.upstreamTimeoutMs} ms`
      : `${route.name} is not reachable (${reason})`;
    ctx.answer(code, detail, code === 'bad_gateway' ? undefined : retryAfter);
  }

  function setForwardedHeaders(ctx: EdgeContext): void {
    const headers = ctx.req.headers;
    headers['x-forwarded-for'] = ctx.forwardedFor;
    headers['x-forwarded-proto'] = ctx.secure ? 'https' : 'http';
    headers['x-forwarded-host'] = headers.host ?? '';
    // The client IP as the edge decided it (trusted-proxy rules applied); services can use it as is.
    headers['x-real-ip'] = ctx.clientIp;
  }

  function forward(ctx: EdgeContext): boolean {
    const route = ctx.route;
    if (route === null) return true;
    if (route.kind === 'local') {
      route.handle(ctx);
      return true;
    }
    const { req, res } = ctx;
    stripHopByHop(req.headers, res === null);
    setForwardedHeaders(ctx);
    if (res === null) {
      if (!route.upstream.rootTarget || plainUrl.test(req.url ?? '')) route.upstream.proxy.ws(req, ctx.socket, ctx.head, onError);
      else route.upstream.proxy.ws(req, ctx.socket, ctx.head, parseUrl, onError);
      return true;
    }
    if (req.headers['transfer-encoding'] !== undefined) {
      const limit = route.config.bodyLimitBytes;
      const counted = new BodyLimit(limit, () => {
        req.unpipe(counted);
        ctx.proxyReq?.destroy();
        res.setHeader('connection', 'close');
        ctx.answer('payload_too_large', `request body over ${limit} bytes`);
      });
      req.pipe(counted);
      route.upstream.proxy.web(req, res, { buffer: counted }, onError);
      return true;
    }
    // A root target's ProxyServer forwards req.url as it is (see Upstream); that is what URL parsing would
    // give for our normalised path in plain characters, anything else is parsed.
    if (!route.upstream.rootTarget || plainUrl.test(req.url ?? '')) route.upstream.proxy.web(req, res, onError);
    else route.upstream.proxy.web(req, res, parseUrl, onError);
    return true;
  }
  return forward;
}
