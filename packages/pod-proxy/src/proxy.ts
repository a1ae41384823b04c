// Builds the edge: listeners, the ordered request pipeline, upstream pools, rate limiters, metrics.
// createProxy() does not listen; listen() and close() (graceful) are on the returned object.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { createAdminServer } from './admin-server';
import type { ProxyConfig } from './config';
import { createEdgeEndpoints } from './edge-endpoints';
import { EdgeMetrics } from './metrics';
import { createCheckMethod } from './pipeline/check-method';
import { EdgeContext, runSteps, type Step } from './pipeline/context';
import { createForward } from './pipeline/forward';
import { createIdentifyClient } from './pipeline/identify-client';
import { createLimitRate } from './pipeline/limit-rate';
import { limitBody } from './pipeline/limit-body';
import { createLogAccess } from './pipeline/log-access';
import { normalisePath } from './pipeline/normalise-path';
import { createRedirectHttps } from './pipeline/redirect-https';
import { assignRequestId } from './pipeline/request-id';
import { createMatchRoute, type UpstreamRoute } from './pipeline/route-table';
import { rawProblem, type ProblemCode } from './problem';
import { RedisTokenBuckets } from './redis-token-buckets';
import { TokenBuckets } from './token-buckets';
import { Upstream } from './upstream';

export interface ProxyDeps {
  logger?: Logger;
  metrics?: EdgeMetrics;
  /** Milliseconds clock for the rate limiter (tests). */
  now?: () => number;
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
  const endpoints = createEdgeEndpoints(config, upstreamRoutes, metrics, sharedBuckets);
  const logAccess = createLogAccess(logger, metrics, config.allowedMethods);

  // The pipeline, read top to bottom; each step may answer and stop it.
  const identifyClient = createIdentifyClient(config.trustedProxies);
  const matchRoute = createMatchRoute(upstreamRoutes, endpoints.routes);
  const limitRate = createLimitRate(metrics, sharedBuckets);
  const forward = createForward(upstreams, {
    upstreamTimeoutMs: config.upstreamTimeoutMs, retryAfterSeconds: config.retryAfterSeconds, metrics,
  });
  const steps: Step[] = [
    assignRequestId, identifyClient, createCheckMethod(config.allowedMethods), normalisePath,
    matchRoute, limitRate, limitBody, forward,
  ];
  const upgradeSteps: Step[] = [assignRequestId, identifyClient, normalisePath, matchRoute, limitRate, forward];
  // Port 0 (tests) means "whatever the OS gave the TLS listener".
  let httpsPublicPort = config.tls?.publicPort ?? 0;
  const plainSteps = config.tls?.redirectHttp ? [assignRequestId, createRedirectHttps(() => httpsPublicPort)] : steps;
  const hsts = config.tls && config.tls.hstsMaxAgeSeconds > 0 ? `max-age=${config.tls.hstsMaxAgeSeconds}` : null;

  let inFlight = 0;
  let closing = false;
  const upgradedSockets = new Set<Socket>();

  function onResponseClose(this: http.ServerResponse): void {
    inFlight--;
    logAccess(EdgeContext.of(this.req));
  }

  function listener(secure: boolean, pipeline: Step[]) {
    return (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const ctx = new EdgeContext(req, res, req.socket, secure);
      inFlight++;
      res.once('close', onResponseClose);
      if (closing) res.setHeader('connection', 'close');
      if (secure && hsts !== null) res.setHeader('strict-transport-security', hsts);
      runSteps(ctx, pipeline);
    };
  }

  function onUpgrade(secure: boolean) {
    return (req: http.IncomingMessage, socket: Socket, head: Buffer): void => {
      const ctx = new EdgeContext(req, null, socket, secure);
      ctx.head = head;
      upgradedSockets.add(socket);
      socket.once('close', () => {
        upgradedSockets.delete(socket);
        logAccess(ctx);
      });
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
      runSteps(ctx, upgradeSteps);
    };
  }

  function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    const response = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || (response && response.headersSent)) {
      socket.destroy();
      return;
    }
    const code = clientErrorCodes[error.code ?? ''] ?? 'bad_request';
    const detail = code === 'bad_request' ? `malformed request (${error.code ?? 'parse error'})` : error.message;
    logger.info({ clientIp: socket.remoteAddress, error: error.code, status: code }, 'rejected malformed request');
    socket.end(rawProblem(code, detail, randomUUID()));
  }

  // Node hands CONNECT to a separate event; the edge is not a forward proxy.
  function onConnect(_req: http.IncomingMessage, socket: Socket): void {
    socket.end(rawProblem('method_not_allowed', 'CONNECT is not served here', randomUUID(), `allow: ${config.allowedMethods.join(', ')}\r\n`));
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
  server.on('connect', onConnect);

  function readTls() {
    return { cert: readFileSync(config.tls!.certFile), key: readFileSync(config.tls!.keyFile) };
  }
  const tlsServer = config.tls === null ? null : https.createServer({ ...serverOptions, ...readTls() }, listener(true, steps));
  if (tlsServer !== null) {
    tlsServer.on('upgrade', onUpgrade(true));
    tlsServer.on('clientError', onClientError);
    tlsServer.on('connect', onConnect);
  }
  const adminServer = createAdminServer(metrics);

  const sweepTimer = setInterval(() => {
    for (const route of upstreamRoutes) route.limiter.sweep();
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
      await sharedBuckets?.close();
      // Access lines are handed to the logger once per event-loop turn; the last ones go out now.
      logAccess.flush();
    },
  };
}

export type Proxy = ReturnType<typeof createProxy>;
