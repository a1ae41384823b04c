// Works out the client: the socket address, or X-Forwarded-For when the socket is a trusted proxy
// (addresses or CIDR ranges), with every hop validated as an IP literal before it is believed or
// passed on; and the key per-client limits count against (IPv6 grouped by prefix).
import { BlockList, isIP } from 'node:net';

/** Strips the IPv4-mapped IPv6 prefix so "::ffff:10.0.0.1" and "10.0.0.1" are one client. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export interface ClientAddress {
  ip: string;
  /** X-Forwarded-For to send upstream: the validated trusted chain plus the socket address. */
  forwardedFor: string;
}

/** Who may speak for a client: exact addresses and CIDR ranges from PROXY_TRUSTED_PROXIES. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.size = entries.length;
  }

  /** `address` must be a plain IP literal (see plainAddress). */
  has(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

export function resolveClient(socketAddress: string | undefined, forwardedHeader: string | string[] | undefined,
  trusted: TrustedProxies): ClientAddress {
  const remote = plainAddress(socketAddress);
  if (trusted.size === 0 || forwardedHeader === undefined || !trusted.has(remote)) {
    return { ip: remote, forwardedFor: remote };
  }
  const chain = (Array.isArray(forwardedHeader) ? forwardedHeader.join(',') : forwardedHeader).split(',')
    .map((hop) => plainAddress(hop.trim())).filter((hop) => hop !== '');
  // Walk right to left: each hop was written by the proxy to its right. The first hop we do not trust
  // is the client; anything left of it is client-supplied. A hop that is not an IP literal ends the walk
  // (no trustworthy proxy wrote it), so the last hop believed is the client. Only IP literals are passed on.
  let ip = remote;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i]!;
    if (isIP(hop) === 0) break;
    ip = hop;
    if (!trusted.has(hop)) break;
  }
  const valid = chain.filter((hop) => isIP(hop) !== 0);
  return { ip, forwardedFor: valid.length > 0 ? `${valid.join(', ')}, ${remote}` : remote };
}

/** The 8 groups of an IPv6 literal (with "::" and a dotted IPv4 tail expanded), or null. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A dotted IPv4 tail ("::ffff:1.2.3.4") is the last two groups.
    const octets = text.slice(lastColon + 1).split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const head = parse(left);
  const rest = right === undefined ? [] : parse(right);
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

/**
 * The key a client's limits are counted under: the address itself for IPv4, the /prefix network for
 * IPv6 (one subscriber usually holds a whole /64, so per-address limits would be free to rotate around).
 */
export function createClientKey(prefixBits: number): (ip: string) => string {
  if (prefixBits >= 128) return (ip) => ip;
  return function clientKey(ip: string): string {
    if (!ip.includes(':')) return ip;
    const groups = ipv6Groups(ip);
    if (groups === null) return ip;
    let bitsLeft = prefixBits;
    const kept: string[] = [];
    for (const group of groups) {
      if (bitsLeft <= 0) break;
      const mask = bitsLeft >= 16 ? 0xffff : (0xffff << (16 - bitsLeft)) & 0xffff;
      kept.push((group & mask).toString(16));
      bitsLeft -= 16;
    }
    return `${kept.join(':')}::/${prefixBits}`;
  };
}
