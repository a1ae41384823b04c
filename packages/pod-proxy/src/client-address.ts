// Works out the client IP: the socket address, or X-Forwarded-For when the socket is a trusted proxy.

/** Strips the IPv4-mapped IPv6 prefix so "::ffff:10.0.0.1" and "10.0.0.1" are one client. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface ClientAddress {
  ip: string;
  /** X-Forwarded-For to send upstream: the trusted chain plus the socket address. */
  forwardedFor: string;
}

export function resolveClient(socketAddress: string | undefined, forwardedHeader: string | string[] | undefined,
  trusted: ReadonlySet<string>): ClientAddress {
  const remote = plainAddress(socketAddress);
  if (trusted.size === 0 || !trusted.has(remote) || forwardedHeader === undefined) {
    return { ip: remote, forwardedFor: remote };
  }
  const chain = (Array.isArray(forwardedHeader) ? forwardedHeader.join(',') : forwardedHeader)
    .split(',').map((hop) => plainAddress(hop.trim())).filter((hop) => hop !== '');
  // Walk right to left: the first hop we do not trust is the client; anything left of it is client-supplied.
  let ip = remote;
  for (let i = chain.length - 1; i >= 0; i--) {
    ip = chain[i]!;
    if (!trusted.has(ip)) break;
  }
  return { ip, forwardedFor: chain.length > 0 ? `${chain.join(', ')}, ${remote}` : remote };
}
