// Step 9: hand the request to its upstream through http-proxy-3 (or to the edge's own endpoint), and
// turn upstream failures into 503/504/502 problem answers. Every callback registered here may run after
// the upstream answered or the client left, so each one goes through ctx.answer (safe at any moment)
// and is wrapped so an error in it ends its own request only.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { stripHopByHop, stripResponseHopByHop } from '../hop-by-hop';
import type { EdgeMetrics } from '../metrics';
import { bodyPending } from '../problem';
import { classifyUpstreamError, type Upstream } from '../upstream';
import { EdgeContext, type FailureHandler } from './context';

export interface ForwardOptions {
  upstreamTimeoutMs: number;
  retryAfterSeconds: number;
  metrics: EdgeMetrics;
  onFailure: FailureHandler;
}

const kProxyReqContext = Symbol('pod-proxy.proxyReq.context');
const closeConnection = { connection: 'close' };

function onUpstreamTimeout(this: ClientRequest): void {
  const ctx = (this as unknown as Record<symbol, EdgeContext>)[kProxyReqContext];
  if (ctx !== undefined) ctx.upstreamTimedOut = true;
  this.destroy();
}

/** Counts a chunked body as it streams and stops it at the route's limit. */
class BodyLimit extends Transform {
  private seen = 0;
  private exceeded = false;
  constructor(private readonly ctx: EdgeContext, private readonly limit: number, private readonly onFailure: FailureHandler) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.exceeded) return done();
    this.seen += chunk.length;
    if (this.seen <= this.limit) return done(null, chunk);
    this.exceeded = true;
    done();
    const ctx = this.ctx;
    try {
      ctx.req.unpipe(this);
      ctx.cancelUpstream();
      // The upstream may have answered already (it may answer before reading the body): then the
      // answer is complete or under way, and ctx.answer closes the connection instead.
      ctx.answer('payload_too_large', `request body over ${this.limit} bytes`, closeConnection);
    } catch (error) {
      this.onFailure(ctx, 'limitBody', error);
    }
  }
}

export function createForward(upstreams: readonly Upstream[], options: ForwardOptions) {
  const { metrics, onFailure } = options;
  const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };

  for (const upstream of upstreams) {
    upstream.proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const ctx = EdgeContext.of(req);
      try {
        ctx.proxyReq = proxyReq;
        (proxyReq as unknown as Record<symbol, EdgeContext>)[kProxyReqContext] = ctx;
        proxyReq.setTimeout(options.upstreamTimeoutMs, onUpstreamTimeout);
      } catch (error) {
        onFailure(ctx, 'proxyReq', error);
      }
    });
    // An upgrade request gets no socket timeout (it would outlive the upgrade and cut idle websockets):
    // a timer that only runs until the upstream answers the upgrade.
    upstream.proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const ctx = EdgeContext.of(req);
      try {
        ctx.proxyReq = proxyReq;
        const timer = setTimeout(() => {
          ctx.upstreamTimedOut = true;
          proxyReq.destroy();
        }, options.upstreamTimeoutMs);
        const clear = () => clearTimeout(timer);
        proxyReq.once('upgrade', clear);
        proxyReq.once('response', clear);
        proxyReq.once('close', clear);
      } catch (error) {
        onFailure(ctx, 'proxyReqWs', error);
      }
    });
    upstream.proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
      try {
        upstream.markUp();
        stripResponseHopByHop(proxyRes.headers as Record<string, unknown>);
        // The client's Connection header was stripped before forwarding, so http-proxy-3 would answer
        // "keep-alive" even to a client that asked to close; say what Node decided for this client.
        // An upstream that answers before the body arrived (415, 401) gets the same treatment as the edge's
        // own early answers (see sendProblem).
        if (!res.shouldKeepAlive || bodyPending(req)) proxyRes.headers.connection = 'close';
        // An upstream that dies mid-body leaves a response the client can never complete: closing the
        // client connection is the only way to say it was truncated (otherwise it waits for bytes forever).
        proxyRes.once('close', () => {
          if (!proxyRes.complete && !res.writableFinished) res.destroy();
        });
      } catch (error) {
        onFailure(EdgeContext.of(req), 'proxyRes', error);
      }
    });
    // Without a listener http-proxy-3 rethrows; every error also reaches the per-call callback.
    upstream.proxy.on('error', () => {});
    upstream.proxy.on('econnreset', () => {});
  }

  function answerUpstreamError(error: Error, req: IncomingMessage, resOrSocket: ServerResponse | Socket): void {
    const ctx = EdgeContext.of(req);
    const route = ctx.route;
    if (route === null || route.kind !== 'upstream') return;
    if (ctx.res === null && resOrSocket !== ctx.socket) return;
    // The client went away first, or the edge already answered (413, 408): nothing to answer, and not
    // the upstream's fault.
    if (ctx.res !== null && (ctx.res.writableEnded || ctx.req.socket.destroyed)) return;
    if (ctx.bodyTimedOut) return;
    const { code, reason } = classifyUpstreamError(error as NodeJS.ErrnoException, ctx.upstreamTimedOut);
    metrics.upstreamError(route.name, reason);
    if (code === 'upstream_unavailable') route.upstream.markDown(reason);
    if (code === 'upstream_busy') {
      ctx.queueTimedOut = true;
      metrics.clientLimit('pool_wait');
    }
    const detail = code === 'upstream_timeout' ? `${route.name} did not answer within ${options.upstreamTimeoutMs} ms`
      : code === 'upstream_busy' ? `every connection to ${route.name} is busy`
        : `${route.name} is not reachable (${reason})`;
    ctx.answer(code, detail, code === 'bad_gateway' ? undefined : retryAfter);
  }

  function onError(error: Error, req: IncomingMessage, resOrSocket: ServerResponse | Socket): void {
    try {
      answerUpstreamError(error, req, resOrSocket);
    } catch (failure) {
      onFailure(EdgeContext.of(req), 'upstreamError', failure);
    }
  }

  function setForwardedHeaders(ctx: EdgeContext): void {
    const headers = ctx.req.headers;
    headers['x-forwarded-for'] = ctx.forwardedFor;
    headers['x-forwarded-proto'] = ctx.secure ? 'https' : 'http';
    headers['x-forwarded-host'] = headers.host ?? '';
    // The client IP as the edge decided it (trusted-proxy rules applied); services can use it as is.
    headers['x-real-ip'] = ctx.clientIp;
  }

  // A root target's ProxyServer forwards req.url as it is (see Upstream): normalisePath has made it exactly
  // what URL parsing would produce, so routing, forwarding and the upstream all see one path.
  return function forward(ctx: EdgeContext): boolean {
    const route = ctx.route;
    if (route === null) return true;
    if (route.kind === 'local') {
      route.handle(ctx);
      return true;
    }
    const { req, res } = ctx;
    stripHopByHop(req.headers, res === null);
    setForwardedHeaders(ctx);
    const proxy = route.upstream.proxy;
    if (res === null) {
      proxy.ws(req, ctx.socket, ctx.head, onError);
    } else if (ctx.chunked) {
      const counted = new BodyLimit(ctx, route.config.bodyLimitBytes, onFailure);
      req.pipe(counted);
      proxy.web(req, res, { buffer: counted }, onError);
    } else {
      proxy.web(req, res, onError);
    }
    ctx.proxyReq ??= route.upstream.agent.takeLastRequest();
    return true;
  };
}
