// The client address used for throttling and audit: the socket peer, or X-Forwarded-For's last hop
// only when the peer is one of our own proxies (a client can write anything before that hop).
import net from 'node:net';
import type { Request } from 'express';

function normalise(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export function createClientIp(trustedProxies: string[]): (req: Request) => string {
  const trusted = new Set(trustedProxies.map(normalise));
  return (req) => {
    const peer = normalise(req.socket.remoteAddress ?? 'unknown');
    if (!trusted.has(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.join(',') : header;
    const lastHop = value?.split(',').pop()?.trim();
    return lastHop !== undefined && net.isIP(normalise(lastHop)) !== 0 ? normalise(lastHop) : peer;
  };
}
