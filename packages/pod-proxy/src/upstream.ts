// One upstream service: its keep-alive connection pool, its http-proxy-3 server, and the proxy's
// passive view of whether it is up (from real traffic and probes), used when pod-health is silent.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import { kUpstreamKeepAlive } from './hop-by-hop';

export type UpstreamState = 'unknown' | 'up' | 'down';

export interface UpstreamOptions {
  name: string;
  target: string;
  maxSockets: number;
  keepAliveMs: number;
  /** Longest wait for a pooled socket when all are busy. */
  queueTimeoutMs: number;
}

/** Error code of a request that waited too long for a pooled socket (see UpstreamAgent). */
export const QUEUE_TIMEOUT = 'EPOOLQUEUETIMEOUT';

type QueuedRequests = Record<string, http.ClientRequest[] | undefined>;

function onQueueTimeout(agent: UpstreamAgent, req: http.ClientRequest): void {
  const queues = (agent as unknown as { requests: QueuedRequests }).requests;
  for (const name in queues) {
    const queue = queues[name]!;
    const at = queue.indexOf(req);
    if (at === -1) continue;
    queue.splice(at, 1);
    if (queue.length === 0) delete queues[name];
  }
  const error: NodeJS.ErrnoException = new Error(`no upstream connection became free within ${agent.queueTimeoutMs} ms`);
  error.code = QUEUE_TIMEOUT;
  req.destroy(error);
}

/**
 * The upstream pool: keep-alive sockets, the upstream's Keep-Alive hint honoured after the edge hid it
 * from the client, and a bound on how long a request may wait for a socket when all are busy (Node's
 * Agent queues without limit), so a full pool answers 503 quickly instead of stalling every request.
 */
class UpstreamAgent extends http.Agent {
  private lastRequest: http.ClientRequest | null = null;

  constructor(options: http.AgentOptions, readonly queueTimeoutMs: number) {
    super(options);
  }

  override keepSocketAlive(socket: Duplex): void {
    const res = (socket as Duplex & { _httpMessage?: { res?: http.IncomingMessage } })._httpMessage?.res;
    const hint = (res?.headers as Record<symbol, unknown> | undefined)?.[kUpstreamKeepAlive];
    if (typeof hint === 'string') res!.headers['keep-alive'] = hint;
    // Node's Agent returns whether the socket may be pooled (its typings say void).
    return super.keepSocketAlive(socket);
  }

  // Node calls this synchronously from http.request(), so the request http-proxy-3 just created is known
  // to forward() before any socket event (see takeLastRequest).
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    this.lastRequest = req;
    (http.Agent.prototype as unknown as { addRequest(r: http.ClientRequest, o: http.RequestOptions): void }).addRequest.call(this, req, options);
    const queues = (this as unknown as { requests: QueuedRequests }).requests;
    for (const name in queues) {
      const queue = queues[name]!;
      if (queue[queue.length - 1] !== req) continue;
      // Queued: every socket is busy. Empty queues cost nothing here, so the common path pays no timer.
      const timer = setTimeout(onQueueTimeout, this.queueTimeoutMs, this, req);
      const clear = () => clearTimeout(timer);
      req.once('socket', clear);
      req.once('close', clear);
      return;
    }
  }

  /** The request the last addRequest() saw, once. */
  takeLastRequest(): http.ClientRequest | null {
    const req = this.lastRequest;
    this.lastRequest = null;
    return req;
  }
}

export class Upstream {
  readonly name: string;
  readonly target: URL;
  readonly agent: UpstreamAgent;
  readonly proxy: ProxyServer;
  /** The target has no path or query of its own, so a request's path is forwarded unchanged. */
  readonly rootTarget: boolean;
  state: UpstreamState = 'unknown';
  /** ms since epoch of the last state change. */
  since = Date.now();
  lastError: string | null = null;

  constructor(options: UpstreamOptions) {
    this.name = options.name;
    this.target = new URL(options.target);
    this.rootTarget = this.target.pathname === '/' && this.target.search === '';
    // LIFO keeps a few hot sockets busy and lets the rest idle out; the idle timeout stays below the
    // services' 5 s keep-alive so we never reuse a socket the upstream is closing (ECONNRESET).
    this.agent = new UpstreamAgent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      timeout: options.keepAliveMs,
      scheduling: 'lifo',
    }, options.queueTimeoutMs);
    // A URL object as target: http-proxy-3 re-parses string targets on every request.
    // For a root target, no `new URL` round trip per request (target path and req.url): the URL is sent as
    // it is, and forward() asks for the parse when a URL has characters the parser would rewrite.
    this.proxy = new ProxyServer({
      target: this.target, agent: this.agent, ws: true, xfwd: false,
      ...(this.rootTarget ? { toProxy: true, prependPath: false } : {}),
    });
    // http-proxy-3's deleteLength pass gives a DELETE or OPTIONS without Content-Length a
    // "Content-Length: 0" and drops its Transfer-Encoding, then streams the chunked body anyway: the
    // upstream reads that body as the next request on the pooled connection (request smuggling). The
    // edge forwards every method's framing as the client sent it.
    const passes = this.proxy as unknown as { webPasses: { name: string }[] };
    passes.webPasses = passes.webPasses.filter((pass) => pass.name !== 'deleteLength');
  }

  markUp(): void {
    if (this.state !== 'up') {
      this.state = 'up';
      this.since = Date.now();
      this.lastError = null;
    }
  }

  markDown(reason: string): void {
    this.lastError = reason;
    if (this.state !== 'down') {
      this.state = 'down';
      this.since = Date.now();
    }
  }

  close(): void {
    this.agent.destroy();
    this.proxy.removeAllListeners();
  }
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Maps a proxying error to the answer the client gets. */
export function classifyUpstreamError(error: NodeJS.ErrnoException, timedOut: boolean):
  { code: 'upstream_timeout' | 'upstream_unavailable' | 'upstream_busy' | 'bad_gateway'; reason: string } {
  if (timedOut) return { code: 'upstream_timeout', reason: 'timeout' };
  const errno = error.code ?? 'unknown';
  if (errno === QUEUE_TIMEOUT) return { code: 'upstream_busy', reason: 'pool_wait' };
  if (unavailableCodes.has(errno)) return { code: 'upstream_unavailable', reason: errno.toLowerCase() };
  return { code: 'bad_gateway', reason: errno.toLowerCase() };
}
