// Turns a request target into the one canonical path that routing sees and the upstream receives,
// so that "..", encoded dots, duplicate slashes and backslashes cannot reach a route they should not.
// The result is also exactly what WHATWG URL parsing (http-proxy-3, the services) makes of it: a raw "#"
// (which parsing would cut off, "/api/v1/users/..#" reaching the upstream as "/api/v1/") is refused, and
// the characters parsing percent-encodes are encoded here, so no later parse can change the path.

export type NormalisedTarget = { ok: true; path: string; url: string } | { ok: false; reason: string };

// Anything that needs work: a percent escape, a backslash, "//", or a "." segment.
const needsWork = /%|\\|\/\/|\/\.(?:\.)?(?:\/|$)/;
// Percent escapes that would change the path's structure or smuggle bytes once decoded.
const forbiddenEscape = /%(?:2f|5c|00)/i;
const unreservedEscape = /%([0-9a-f]{2})/gi;
// What the WHATWG URL parser percent-encodes in a special URL's path and query, among the characters
// Node's HTTP parser lets into a request target (it refuses controls, space and non-ASCII itself).
const pathEncoded = /["<>`{}]/g;
const queryEncoded = /["<>']/g;
const hasPathEncoded = /["<>`{}]/;
const hasQueryEncoded = /["<>']/;

function percentEncode(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

function encodeQuery(query: string): string {
  return hasQueryEncoded.test(query) ? query.replace(queryEncoded, percentEncode) : query;
}

function decodeUnreserved(segment: string): string {
  return segment.replace(unreservedEscape, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    // Only unreserved characters are decoded (RFC 3986 §6.2.2.2); the rest keep their upper-case escape.
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

export function normaliseTarget(target: string): NormalisedTarget {
  if (target.length === 0 || target[0] !== '/') return { ok: false, reason: 'request target must be an absolute path' };
  if (target.includes('#')) return { ok: false, reason: 'a fragment ("#") is not part of a request target' };
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : encodeQuery(target.slice(queryAt));
  if (!needsWork.test(rawPath)) {
    if (!hasPathEncoded.test(rawPath)) return { ok: true, path: rawPath, url: queryAt === -1 ? target : rawPath + query };
    const path = rawPath.replace(pathEncoded, percentEncode);
    return { ok: true, path, url: path + query };
  }
  if (forbiddenEscape.test(rawPath)) return { ok: false, reason: 'encoded "/", "\\" or NUL in the path' };
  if (/%(?![0-9a-f]{2})/i.test(rawPath)) return { ok: false, reason: 'malformed percent escape in the path' };
  if (rawPath.includes('\\')) return { ok: false, reason: 'backslash in the path' };
  const output: string[] = [];
  const segments = rawPath.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = decodeUnreserved(segments[i]!);
    const last = i === segments.length - 1;
    if (segment === '' && !last) continue; // duplicate slash
    if (segment === '.') {
      if (last) output.push('');
      continue;
    }
    if (segment === '..') {
      if (output.length === 0) return { ok: false, reason: 'path climbs above the root' };
      output.pop();
      if (last) output.push('');
      continue;
    }
    output.push(segment);
  }
  const path = `/${output.join('/')}`.replace(pathEncoded, percentEncode);
  return { ok: true, path, url: path + query };
}
