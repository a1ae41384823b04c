// Removes hop-by-hop headers (RFC 9110 §7.6.1) so they are not forwarded across the proxy.
import type { IncomingHttpHeaders } from 'node:http';

// Always hop-by-hop, plus "trailer" (crashes naive http-proxy setups, #1647) and "expect"
// (Node has already answered 100-continue to the client).
const alwaysRemoved = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'expect'];

/**
 * Headers a `Connection` token may never remove: message framing (dropping Transfer-Encoding or
 * Content-Length would change how the body is read, and switched the edge's body limit off), routing,
 * and what the edge itself sends upstream. Such tokens are ignored.
 */
const protectedFromConnection = new Set(['transfer-encoding', 'content-length', 'host', 'upgrade', 'x-request-id', 'x-real-ip']);

function isProtected(name: string): boolean {
  return protectedFromConnection.has(name) || name.startsWith('x-forwarded');
}

export function stripHopByHop(headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !isProtected(name)) delete headers[name];
    }
  }
  for (const name of alwaysRemoved) {
    if (headers[name] !== undefined) delete headers[name];
  }
  if (keepUpgrade) headers.connection = 'upgrade';
  else if (headers.upgrade !== undefined) delete headers.upgrade;
}

/** Where the upstream's Keep-Alive header stays readable for the pool once it is hidden from the client. */
export const kUpstreamKeepAlive = Symbol('pod-proxy.upstreamKeepAlive');

/**
 * Response side: the upstream's connection management headers are not the client's. Headers are set to
 * undefined rather than deleted: http-proxy-3 copies no undefined header, and a `delete` would turn the
 * headers object into a slow dictionary for everything that reads it afterwards.
 */
export function stripResponseHopByHop(headers: Record<string | symbol, unknown>): void {
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive' && name !== 'transfer-encoding' && name !== 'content-length' &&
        headers[name] !== undefined) headers[name] = undefined;
    }
    headers.connection = undefined;
  }
  const keepAlive = headers['keep-alive'];
  if (keepAlive !== undefined) {
    // The upstream pool (UpstreamAgent#keepSocketAlive) reads the upstream's "timeout=N" hint to retire
    // sockets before the upstream closes them; it finds it under this symbol.
    headers['keep-alive'] = undefined;
    headers[kUpstreamKeepAlive] = keepAlive;
  }
  if (headers['proxy-connection'] !== undefined) headers['proxy-connection'] = undefined;
}
