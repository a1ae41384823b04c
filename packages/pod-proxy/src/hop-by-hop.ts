// Removes hop-by-hop headers (RFC 9110 §7.6.1) so they are not forwarded across the proxy.
import type { IncomingHttpHeaders } from 'node:http';

// Always hop-by-hop, plus "trailer" (crashes naive http-proxy setups, #1647) and "expect"
// (Node has already answered 100-continue to the client).
const alwaysRemoved = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'expect'];

export function stripHopByHop(headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      // Never let a client declare end-to-end headers we rely on as hop-by-hop.
      if (name !== '' && name !== 'upgrade' && !name.startsWith('x-forwarded') && name !== 'x-request-id' && name !== 'host') {
        delete headers[name];
      }
    }
  }
  for (const name of alwaysRemoved) {
    if (headers[name] !== undefined) delete headers[name];
  }
  if (keepUpgrade) headers.connection = 'upgrade';
  else if (headers.upgrade !== undefined) delete headers.upgrade;
}

/** Response side: the upstream's connection management headers are not the client's. */
export function stripResponseHopByHop(headers: Record<string, unknown>): void {
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive') delete headers[name];
    }
    delete headers.connection;
  }
  const keepAlive = headers['keep-alive'];
  if (keepAlive !== undefined) {
    // The upstream pool (http.Agent#keepSocketAlive) reads the upstream's "timeout=N" hint from these
    // same headers to retire sockets before the upstream closes them; kept, but non-enumerable, it
    // stays out of the copy http-proxy-3 makes for the client.
    delete headers['keep-alive'];
    Object.defineProperty(headers, 'keep-alive', { value: keepAlive, enumerable: false, configurable: true, writable: true });
  }
  if (headers['proxy-connection'] !== undefined) delete headers['proxy-connection'];
}
