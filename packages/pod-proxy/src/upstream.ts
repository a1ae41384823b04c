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
}

/** A keep-alive pool that still honours the upstream's Keep-Alive hint after the edge hid it from the client. */
class UpstreamAgent extends http.Agent {
  override keepSocketAlive(socket: Duplex): void {
    const res = (socket as Duplex & { _httpMessage?: { res?: http.IncomingMessage } })._httpMessage?.res;
    const hint = (res?.headers as Record<symbol, unknown> | undefined)?.[kUpstreamKeepAlive];
    if (typeof hint === 'string') res!.headers['keep-alive'] = hint;
    // Node's Agent returns whether the socket may be pooled (its typings say void).
    return super.keepSocketAlive(socket);
  }
}

export class Upstream {
  readonly name: string;
  readonly target: URL;
  readonly agent: http.Agent;
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
    });
    // A URL object as target: http-proxy-3 re-parses string targets on every request.
    // For a root target, no `new URL` round trip per request (target path and req.url): the URL is sent as
    // it is, and forward() asks for the parse when a URL has characters the parser would rewrite.
    this.proxy = new ProxyServer({
      target: this.target, agent: this.agent, ws: true, xfwd: false,
      ...(this.rootTarget ? { toProxy: true, prependPath: false } : {}),
    });
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
  { code: 'upstream_timeout' | 'upstream_unavailable' | 'bad_gateway'; reason: string } {
  if (timedOut) return { code: 'upstream_timeout', reason: 'timeout' };
  const errno = error.code ?? 'unknown';
  if (unavailableCodes.has(errno)) return { code: 'upstream_unavailable', reason: errno.toLowerCase() };
  return { code: 'bad_gateway', reason: errno.toLowerCase() };
}
