// Builds the edge: listeners, the ordered request pipeline, upstream pools, rate limiters, metrics.
// createProxy() does not listen; listen() and close() (graceful) are on the returned object.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { createAdminServer } from './admin-server';
import { BodyDeadlines } from './body-deadlines';
import { TrustedProxies } from './client-address';
import { ClientSlots } from './client-slots';
import type { ProxyConfig } from './config';
import { kRefusedConnection, limitConnectionsPerClient } from './connection-limits';
import { createEdgeEndpoints } from './edge-endpoints';
import { endLingering, isLingering, lingerOnClose } from './lingering-close';
import { EdgeMetrics } from './metrics';
import { createCheckMethod } from './pipeline/check-method';
import { createStepRunner, EdgeContext, type Step } from './pipeline/context';
import { createForward } from './pipeline/forward';
import { createIdentifyClient } from './pipeline/identify-client';
import { createLimitBody } from './pipeline/limit-body';
import { createLimitInFlight } from './pipeline/limit-in-flight';
import { createLimitRate } from './pipeline/limit-rate';
import { createLogAccess } from './pipeline/log-access';
import { normalisePath } from './pipeline/normalise-path';
import { createRedirectHttps } from './pipeline/redirect-https';
import { assignRequestId } from './pipeline/request-id';
import { createMatchRoute, type UpstreamRoute } from './pipeline/route-table';
import { rawProblem, type ProblemCode } from './problem';
import { RedisTokenBuckets } from './redis-token-buckets';
import { createRequestFailureHandler } from './request-failure';
import { TokenBuckets } from './token-buckets';
import { Upstream } from './upstream';

export interface ProxyDeps {
  logger?: Logger;
  metrics?: EdgeMetrics;
  /** Milliseconds clock for the rate limiter (tests). */
  now?: () => number;
}

/**
 * Node names no method for a request it could not parse. The packet it failed on holds the failing
 * request's line unless the head spanned packets: the last request line before the failure point is it.
 * A pipelined request may follow the previous body with no separator, so the method is whatever the
 * token before the target ends with. (An answer to HEAD must carry no body, or the client reads the body
 * as the next answer; a false positive only costs the detail.)
 */
function failedOnHead(error: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number }): boolean {
  const raw = error.rawPacket;
  if (raw === undefined) return false;
  const parsed = raw.toString('latin1', 0, Math.min(raw.length, (error.bytesParsed ?? raw.length) + 1));
  const requestLine = /([!#$%&'*+.^_`|~0-9A-Za-z-]+) [^\r\n ]+ HTTP\/[^\r\n]*\r?\n/g;
  let method = parsed.startsWith('HEAD ') ? 'HEAD' : '';
  for (let match = requestLine.exec(parsed); match !== null; match = requestLine.exec(parsed)) method = match[1]!;
  return method.endsWith('HEAD');
}

export interface ListeningAddresses {
  port: number;
  tlsPort: number | null;
  adminPort: number;
}

const clientErrorCodes: Record<string, ProblemCode> = {
  HPE_HEADER_OVERFLOW: 'header_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  ERR_HTTP_HEADERS_TIMEOUT: 'request_timeout',
};

export function createProxy(config: ProxyConfig, deps: ProxyDeps = {}) {
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const metrics = deps.metrics ?? new EdgeMetrics();

  const upstreamRoutes: UpstreamRoute[] = config.routes.map((route) => ({
    kind: 'upstream',
    name: route.name,
    config: route,
    upstream: new Upstream({
      name: route.name, target: route.target,
      maxSockets: config.upstreamMaxSockets, keepAliveMs: config.upstreamKeepAliveMs,
      queueTimeoutMs: config.upstreamQueueTimeoutMs,
    }),
    limiter: new TokenBuckets({
      ratePerSecond: route.ratePerSecond, burst: route.burst, maxBuckets: config.rateLimitMaxBuckets,
      ...(deps.now ? { now: deps.now } : {}),
    }),
  }));
  const upstreams = upstreamRoutes.map((route) => route.upstream);
  if (config.redis !== null) metrics.trackRedis();
  const sharedBuckets = config.redis === null ? null : new RedisTokenBuckets({
    config: config.redis, logger, onAvailabilityChange: (up) => metrics.redisAvailability(up),
  });
  const onFailure = createRequestFailureHandler(logger, metrics);
  const runSteps = createStepRunner(onFailure);
  const endpoints = createEdgeEndpoints(config, upstreamRoutes, metrics, {
    shared: sharedBuckets, onFailure, ...(deps.now ? { now: deps.now } : {}),
  });
  const logAccess = createLogAccess(logger, metrics, config.allowedMethods);
  const inFlightSlots = new ClientSlots(config.clientMaxInFlight);
  const bodyDeadlines = new BodyDeadlines({
    graceMs: config.bodyTimeoutMs, minRate: config.bodyMinRate,
    onExpired(ctx) {
      try {
        ctx.bodyTimedOut = true;
        metrics.clientLimit('slow_body');
        ctx.answer('request_timeout', `request body slower than ${config.bodyMinRate} bytes/s after ${config.bodyTimeoutMs} ms`,
          { connection: 'close' });
        ctx.cancelUpstream();
      } catch (error) {
        onFailure(ctx, 'bodyDeadline', error);
      }
    },
  });

  // The pipeline, read top to bottom; each step may answer and stop it.
  const identifyClient = createIdentifyClient(config.trustedProxies, config.ipv6PrefixBits);
  const matchRoute = createMatchRoute(upstreamRoutes, endpoints.routes);
  const limitRate = createLimitRate(metrics, sharedBuckets);
  const limitInFlight = createLimitInFlight(inFlightSlots, config.clientMaxInFlight, config.retryAfterSeconds, metrics);
  const forward = createForward(upstreams, {
    upstreamTimeoutMs: config.upstreamTimeoutMs, retryAfterSeconds: config.retryAfterSeconds, metrics, onFailure,
  });
  const steps: Step[] = [
    assignRequestId, identifyClient, createCheckMethod(config.allowedMethods), normalisePath,
    matchRoute, limitRate, limitInFlight, createLimitBody(bodyDeadlines), forward,
  ];
  const upgradeSteps: Step[] = [assignRequestId, identifyClient, normalisePath, matchRoute, limitRate, limitInFlight, forward];
  // Port 0 (tests) means "whatever the OS gave the TLS listener".
  let httpsPublicPort = config.tls?.publicPort ?? 0;
  const plainSteps = config.tls?.redirectHttp ? [assignRequestId, createRedirectHttps(() => httpsPublicPort)] : steps;
  const hsts = config.tls && config.tls.hstsMaxAgeSeconds > 0 ? `max-age=${config.tls.hstsMaxAgeSeconds}` : null;

  let inFlight = 0;
  let closing = false;
  const upgradedSockets = new Set<Socket>();

  /** Everything a request holds is given back here, exactly once: its in-flight slot, its log line. */
  function finish(ctx: EdgeContext): void {
    // The answer is over but the upload to the upstream is not (it answered early, or the client stopped
    // sending): Node drops the upstream request's timeout once its response ended, so nothing else would
    // ever free that pooled socket.
    const proxyReq = ctx.proxyReq;
    if (proxyReq !== null && !proxyReq.writableFinished && !proxyReq.destroyed) proxyReq.destroy();
    if (ctx.slotKey !== null) {
      inFlightSlots.release(ctx.slotKey);
      ctx.slotKey = null;
    }
    try {
      logAccess(ctx);
    } catch (error) {
      metrics.requestFailure('logAccess');
      logger.error({ err: error, requestId: ctx.requestId }, 'access log failed');
    }
  }

  const settled = new WeakSet<EdgeContext>();
  function settle(ctx: EdgeContext): void {
    if (settled.has(ctx)) return;
    settled.add(ctx);
    inFlight--;
    finish(ctx);
  }

  function onResponseClose(this: http.ServerResponse): void {
    settle(EdgeContext.of(this.req));
  }

  // A pipelined response waits in Node's queue until the one before it is done, and Node never closes a
  // queued response when its connection dies: the connection's close settles them instead.
  const queued = new WeakMap<Socket, Set<EdgeContext>>();
  function onQueuedSocketClose(this: Socket): void {
    const waiting = queued.get(this);
    if (waiting === undefined) return;
    queued.delete(this);
    for (const ctx of waiting) settle(ctx);
  }
  function watchQueued(ctx: EdgeContext, res: http.ServerResponse): void {
    const socket = ctx.socket;
    let waiting = queued.get(socket);
    if (waiting === undefined) {
      waiting = new Set();
      queued.set(socket, waiting);
      socket.once('close', onQueuedSocketClose);
    }
    waiting.add(ctx);
    res.once('socket', () => waiting.delete(ctx));
  }

  const refused = (socket: Socket) => (socket as Socket & { [kRefusedConnection]?: true })[kRefusedConnection] === true;

  function listener(secure: boolean, pipeline: Step[]) {
    return (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (refused(req.socket)) {
        res.destroy();
        return;
      }
      // A request parsed from what a client sent after its connection's last answer: never answered,
      // the socket closes when the lingering ends.
      if (isLingering(req.socket)) return;
      const ctx = new EdgeContext(req, res, req.socket, secure);
      inFlight++;
      res.once('close', onResponseClose);
      if (res.socket === null) watchQueued(ctx, res);
      if (closing) res.setHeader('connection', 'close');
      if (secure && hsts !== null) res.setHeader('strict-transport-security', hsts);
      runSteps(ctx, pipeline);
    };
  }

  // Node detaches its own listeners from a socket it hands to 'upgrade' or 'connect': without one of
  // ours, a reset by the client would be an uncaught error.
  function onDetachedSocketError(this: Socket): void {
    this.destroy();
  }

  // Node hands a socket to 'upgrade' or 'connect' as soon as it parses such a request, even while the
  // answer to an earlier pipelined request is still under way on it: that answer goes first.
  function afterPendingAnswer(socket: Socket, run: () => void): void {
    const pending = (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (pending == null) return run();
    pending.once('close', () => {
      if (socket.destroyed) return;
      try {
        afterPendingAnswer(socket, run);
      } catch (error) {
        metrics.requestFailure('pipelinedUpgrade');
        logger.error({ err: error }, 'answering a pipelined upgrade failed');
        socket.destroy();
      }
    });
  }

  function onUpgrade(secure: boolean) {
    return (req: http.IncomingMessage, socket: Socket, head: Buffer): void => {
      socket.on('error', onDetachedSocketError);
      if (refused(socket)) {
        socket.destroy();
        return;
      }
      afterPendingAnswer(socket, () => upgrade(secure, req, socket, head));
    };
  }

  function upgrade(secure: boolean, req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    // Pipelined after the connection's last answer: never answered (see listener).
    if (isLingering(socket)) return;
    const ctx = new EdgeContext(req, null, socket, secure);
    ctx.head = head;
    upgradedSockets.add(socket);
    socket.once('close', () => {
      upgradedSockets.delete(socket);
      finish(ctx);
    });
    try {
      if (closing) {
        ctx.answer('upstream_unavailable', 'the proxy is shutting down', { 'retry-after': String(config.retryAfterSeconds) });
        return;
      }
      // Node routes every "Connection: upgrade" request here (h2c too); only websockets are proxied.
      if (req.headers.upgrade?.toLowerCase() !== 'websocket' || req.method !== 'GET') {
        assignRequestId(ctx);
        ctx.answer('bad_request', 'only websocket upgrades (GET) are supported');
        return;
      }
    } catch (error) {
      onFailure(ctx, 'upgrade', error);
      return;
    }
    runSteps(ctx, upgradeSteps);
  }

  function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    try {
      // The parser stays failed: every further packet of a lingering socket reports the same error.
      if (isLingering(socket) && error.code !== 'ECONNRESET') return;
      const response = (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage ?? undefined;
      if (error.code === 'ECONNRESET' || !socket.writable || refused(socket)) {
        socket.destroy();
        return;
      }
      if (response?.headersSent) {
        // Bytes after a request Node accepted were not HTTP. A response still streaming cannot be framed
        // any more; a finished one (maybe not flushed yet) must still reach the client before the close.
        if (response.writableEnded) endLingering(socket);
        else socket.destroy();
        return;
      }
      const code = clientErrorCodes[error.code ?? ''] ?? 'bad_request';
      const detail = code === 'bad_request' ? `malformed request (${error.code ?? 'parse error'})` : error.message;
      logger.info({ clientIp: socket.remoteAddress, error: error.code, status: code }, 'rejected malformed request');
      if (response !== undefined) {
        // The body of a request already in the pipeline turned out malformed: that request is answered
        // (and its upstream request cancelled) through its own context, so nothing else writes to it.
        const ctx = EdgeContext.find(response.req);
        if (ctx !== undefined) {
          ctx.cancelUpstream();
          ctx.answer(code, detail, { connection: 'close' });
          return;
        }
      }
      endLingering(socket, rawProblem(code, detail, randomUUID(), '', failedOnHead(error)));
    } catch (failure) {
      metrics.requestFailure('clientError');
      logger.error({ err: failure }, 'answering a malformed request failed');
      socket.destroy();
    }
  }

  // Node answers an Expect it does not know with a bare 417 of its own; ours is a problem document.
  function onCheckExpectation(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ctx = new EdgeContext(req, res, req.socket, false);
    inFlight++;
    res.once('close', onResponseClose);
    if (res.socket === null) watchQueued(ctx, res);
    try {
      assignRequestId(ctx);
      ctx.answer('expectation_failed', `Expect: ${req.headers.expect ?? ''} is not supported (only 100-continue)`, { connection: 'close' });
    } catch (error) {
      onFailure(ctx, 'checkExpectation', error);
    }
  }

  // Node hands CONNECT to a separate event; the edge is not a forward proxy.
  function onConnect(_req: http.IncomingMessage, socket: Socket): void {
    socket.on('error', onDetachedSocketError);
    if (refused(socket)) return;
    afterPendingAnswer(socket, () => {
      if (isLingering(socket)) return;
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      endLingering(socket, rawProblem('method_not_allowed', 'CONNECT is not served here', randomUUID(), `allow: ${config.allowedMethods.join(', ')}\r\n`));
    });
  }

  const serverOptions: http.ServerOptions = {
    maxHeaderSize: config.maxHeaderBytes,
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // How often Node checks the two timeouts above; its 30 s default would let slow clients linger.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
  };
  const server = http.createServer(serverOptions, listener(false, plainSteps));
  server.on('upgrade', onUpgrade(false));
  server.on('clientError', onClientError);
  server.on('connection', lingerOnClose);
  server.on('connect', onConnect);
  server.on('checkExpectation', onCheckExpectation);

  function readTls() {
    return { cert: readFileSync(config.tls!.certFile), key: readFileSync(config.tls!.keyFile) };
  }
  const tlsServer = config.tls === null ? null : https.createServer({ ...serverOptions, ...readTls() }, listener(true, steps));
  if (tlsServer !== null) {
    tlsServer.on('upgrade', onUpgrade(true));
    tlsServer.on('clientError', onClientError);
    tlsServer.on('secureConnection', lingerOnClose);
    tlsServer.on('connect', onConnect);
    tlsServer.on('checkExpectation', onCheckExpectation);
  }
  const adminServer = createAdminServer(metrics);
  const connectionSlots = limitConnectionsPerClient(tlsServer === null ? [server] : [server, tlsServer], config.maxConnectionsPerIp,
    new TrustedProxies(config.trustedProxies), config.ipv6PrefixBits, config.retryAfterSeconds, metrics);

  const sweepTimer = setInterval(() => {
    for (const route of upstreamRoutes) route.limiter.sweep();
    endpoints.limiter.sweep();
  }, config.rateLimitSweepMs);
  sweepTimer.unref();

  function listenOn(target: http.Server, port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, host, () => {
        target.off('error', reject);
        resolve((target.address() as AddressInfo).port);
      });
    });
  }

  return {
    server,
    tlsServer,
    adminServer,
    metrics,
    routes: upstreamRoutes,
    /** The fleet-wide buckets (null without PROXY_REDIS_URL). */
    sharedBuckets,
    get inFlight(): number {
      return inFlight;
    },
    /** What the per-client guards hold right now (tests: all back to 0 once every client is gone). */
    guards(): { inFlightSlots: number; connectionSlots: number; watchedBodies: number } {
      return { inFlightSlots: inFlightSlots.total, connectionSlots: connectionSlots?.total ?? 0, watchedBodies: bodyDeadlines.size };
    },

    async listen(): Promise<ListeningAddresses> {
      sharedBuckets?.connect();
      const port = await listenOn(server, config.port, config.host);
      const tlsPort = tlsServer === null ? null : await listenOn(tlsServer, config.tls!.port, config.host);
      if (tlsPort !== null && httpsPublicPort === 0) httpsPublicPort = tlsPort;
      const adminPort = await listenOn(adminServer, config.adminPort, config.adminHost);
      logger.info({ port, tlsPort, adminPort, rateLimits: sharedBuckets === null ? 'per proxy' : 'shared through Redis when it answers', routes: config.routes.map((r) => `${r.prefix} -> ${r.target}`) }, 'proxy listening');
      return { port, tlsPort, adminPort };
    },

    /** Re-reads the certificate and key (SIGHUP); a bad file keeps the old context and throws. */
    reloadTls(): void {
      if (tlsServer === null) return;
      tlsServer.setSecureContext(readTls());
      logger.info('TLS certificate reloaded');
    },

    /** Stops accepting, lets in-flight requests finish until the deadline, then closes everything. */
    async close(): Promise<void> {
      closing = true;
      clearInterval(sweepTimer);
      const listeners = [server, adminServer, ...(tlsServer ? [tlsServer] : [])];
      const closed = listeners.map((target) => new Promise<void>((resolve) => {
        if (!target.listening) return resolve();
        target.close(() => resolve());
      }));
      for (const target of listeners) target.closeIdleConnections();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const target of listeners) target.closeIdleConnections();
      }
      if (inFlight > 0) logger.warn({ inFlight }, 'shutdown deadline reached; closing remaining connections');
      for (const target of listeners) target.closeAllConnections();
      for (const socket of upgradedSockets) socket.destroy();
      await Promise.all(closed);
      for (const upstream of upstreams) upstream.close();
      endpoints.close();
      bodyDeadlines.close();
      await sharedBuckets?.close();
      // Access lines are handed to the logger once per event-loop turn; the last ones go out now.
      logAccess.flush();
    },
  };
}

export type Proxy = ReturnType<typeof createProxy>;
