// fast-check arbitraries for hostile HTTP/1.1 clients: methods, request targets and encodings, header
// names and values (control characters, obs-fold, duplicated and conflicting framing headers,
// Connection/Upgrade/Expect/Trailer combinations), bodies of every framing with sizes around given
// limits, and what the client does in time (pause, upload after the answer, abort, slow read, pipeline,
// half-close). Cases are data (readable when fast-check prints a shrunk counterexample); toWire()
// turns one into bytes.
import fc from 'fast-check';

export type Framing =
  | 'none' | 'length' | 'length-short' | 'length-long' | 'length-duplicate' | 'length-conflict'
  | 'chunked' | 'chunked-extension' | 'chunked-trailer' | 'chunked-bad-size' | 'chunked-no-crlf'
  | 'chunked-and-length' | 'te-gzip-chunked' | 'te-chunked-gzip' | 'te-twice' | 'te-mixed-case' | 'te-unknown';

export interface HostileRequest {
  method: string;
  target: string;
  version: string;
  /** Raw header lines as [name, value]; a value may hold CR LF + space (obs-fold). */
  headers: [string, string][];
  framing: Framing;
  bodySize: number;
  chunkSize: number;
  /** The head ends without its blank line (the client never finishes the headers). */
  unfinishedHead: boolean;
}

export type Timing =
  | { kind: 'immediate' }
  | { kind: 'pause-after-head'; ms: number }
  | { kind: 'upload-after-answer'; firstBytes: number; maxWaitMs: number }
  | { kind: 'drip-body'; bytesPerWrite: number; intervalMs: number }
  | { kind: 'abort-mid-body'; afterBytes: number }
  | { kind: 'abort-mid-response' }
  | { kind: 'slow-read'; ms: number }
  | { kind: 'half-close' };

export interface HostileCase {
  request: HostileRequest;
  /** A second request written right behind the first (pipelining), or null. */
  pipelined: HostileRequest | null;
  timing: Timing;
}

export interface CaseSpace {
  /** Request paths worth aiming at (routes, the upstream's special behaviours); tails are generated. */
  paths: readonly string[];
  /** Body sizes worth hitting exactly (limits and their neighbours). */
  bodySizes: readonly number[];
  /** The server's header-size limit, to generate heads on both sides of it. */
  maxHeaderBytes: number;
}

const tokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Every printable character Node's parser lets into a request target.
const targetChars = `${tokenChars}"(),/:;<=>?@[\\]{}`;

const token = (min = 1, max = 12) => fc.string({ unit: fc.constantFrom(...tokenChars.split('')), minLength: min, maxLength: max });

const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('TRACE', 'CONNECT', 'PROPFIND', 'get', 'G(ET', 'POST ', 'M-SEARCH') },
  { weight: 1, arbitrary: token(1, 20) },
);

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', '.', '..', '%2e', '%2E%2e', '.%2e', '%2f', '%2F', '%5c', '%00', '\\', '%zz', '%', '%41',
    '%C3%A9', 'me', 'json', 'echo', 'x;y=1', '..;', '*') },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...targetChars.replace('/', '').split('')), maxLength: 12 }) },
);

function target(paths: readonly string[]) {
  const query = fc.option(fc.string({ unit: fc.constantFrom(...`${targetChars}#`.split('')), maxLength: 16 }), { nil: undefined });
  const composed = fc.tuple(fc.constantFrom(...paths), fc.array(segment, { maxLength: 4 }), query,
    fc.option(fc.constantFrom('#', '#frag', '..#', '/..#x'), { nil: undefined }))
    .map(([path, tail, q, fragment]) => `${path}${tail.map((s) => `/${s}`).join('')}${q === undefined ? '' : `?${q}`}${fragment ?? ''}`);
  return fc.oneof(
    { weight: 20, arbitrary: composed },
    { weight: 1, arbitrary: fc.constantFrom('*', 'http://evil.example/api/v1/users/me', '//api/v1/users/me', 'api/v1/users', '/%', '') },
  );
}

const ipHop = fc.oneof(
  fc.ipV4(), fc.ipV6(),
  fc.constantFrom('unknown', '1.2.3.4:80', '[::1]:443', '<script>', '', ' ', '300.1.1.1', '::ffff:10.0.0.1', '_hidden', 'fe80::1%eth0'),
);

function headerArbitraries(maxHeaderBytes: number): fc.Arbitrary<[string, string]>[] {
  const connectionTokens = fc.array(fc.constantFrom('close', 'keep-alive', 'upgrade', 'Upgrade', 'transfer-encoding', 'Content-Length',
    'content-length', 'host', 'x-forwarded-for', 'x-real-ip', 'x-request-id', 'te', 'trailer', 'authorization', 'content-type', 'foo'),
  { minLength: 1, maxLength: 4 }).map((tokens): [string, string] => ['Connection', tokens.join(', ')]);
  return [
    connectionTokens,
    fc.constantFrom<[string, string]>(['Upgrade', 'websocket'], ['Upgrade', 'h2c'], ['Upgrade', 'WebSocket, foo/1'], ['upgrade', 'tls/1.3']),
    fc.constantFrom<[string, string]>(['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']),
    fc.constantFrom<[string, string]>(['Expect', '100-continue'], ['Expect', 'teapot'], ['Expect', '100-Continue, x']),
    fc.constantFrom<[string, string]>(['Trailer', 'x-checksum'], ['TE', 'trailers'], ['TE', 'gzip'], ['Keep-Alive', 'timeout=1']),
    fc.constantFrom<[string, string]>(['Content-Type', 'application/json'], ['Content-Type', 'text/plain'],
      ['Content-Type', 'application/merge-patch+json'], ['Content-Type', 'application/json; charset=utf-16'], ['Content-Type', ''],
      ['Content-Encoding', 'gzip']),
    fc.array(ipHop, { minLength: 1, maxLength: 4 }).map((hops): [string, string] => ['X-Forwarded-For', hops.join(', ')]),
    ipHop.map((hop): [string, string] => ['X-Real-IP', hop]),
    fc.oneof(token(1, 40), fc.constantFrom('a'.repeat(200), 'bad id', '../x')).map((id): [string, string] => ['X-Request-Id', id]),
    fc.constantFrom<[string, string]>(['Authorization', 'Bearer not.a.token'], ['Authorization', 'Basic Zm9vOmJhcg=='], ['Cookie', 'a=b']),
    fc.constantFrom<[string, string]>(['Host', 'x'], ['Host', ''], ['Host', 'evil.example:99999'], ['Host', 'a b'], ['X-Forwarded-Host', 'evil']),
    // Control characters, obs-fold, invalid names, DEL, a bare CR.
    fc.constantFrom<[string, string]>(['X-Ctl', 'a\x01b'], ['X-Del', 'a\x7fb'], ['X-Fold', 'a\r\n b'], ['X Space', 'v'], ['X-Nul', 'a\x00b'],
      ['', 'empty-name'], ['X-CR', 'a\rb'], ['X-Tab', '\tv\t'], ['X-High', 'caf\xe9']),
    fc.tuple(token(1, 24), fc.string({ unit: fc.constantFrom(...' !"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`az{|}~'.split('')), maxLength: 40 })),
    fc.integer({ min: maxHeaderBytes - 200, max: maxHeaderBytes + 200 }).map((size): [string, string] => ['X-Big', 'b'.repeat(Math.max(1, size))]),
  ];
}

const handshake: [string, string][] = [['Connection', 'Upgrade'], ['Upgrade', 'websocket'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']];

/**
 * A websocket handshake, complete or with one part missing, plus a few hostile headers and maybe a body:
 * random headers alone almost never add up to an upgrade the upstream accepts.
 */
function websocketRequest(space: CaseSpace): fc.Arbitrary<HostileRequest> {
  const wsPaths = space.paths.filter((path) => path.includes('/ws'));
  return fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'HEAD', 'get') }),
    target: wsPaths.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...wsPaths) }, { weight: 1, arbitrary: target(space.paths) }) : target(space.paths),
    version: fc.constant('HTTP/1.1'),
    headers: fc.tuple(fc.integer({ min: -1, max: handshake.length - 1 }), fc.array(fc.oneof(...headerArbitraries(space.maxHeaderBytes)), { maxLength: 2 }))
      .map(([dropped, extra]) => [...handshake.filter((_, index) => index !== dropped), ...extra]),
    framing: fc.oneof({ weight: 6, arbitrary: fc.constant<Framing>('none') }, { weight: 1, arbitrary: fc.constantFrom<Framing>('length', 'chunked', 'length-short') }),
    bodySize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 })),
    chunkSize: fc.constantFrom(1, 512, 8192),
    unfinishedHead: fc.constant(false),
  });
}

/**
 * A well-formed request to a real route, with an ordinary body: what reaches the upstream, so the hostile
 * part is the timing (an upload the upstream answers early, an abort, a slow read) rather than the bytes.
 */
function plausibleRequest(space: CaseSpace): fc.Arbitrary<HostileRequest> {
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'),
    target: fc.tuple(fc.constantFrom(...space.paths), fc.option(fc.constantFrom('a=1', 'x=%2F..', 'q=caf%C3%A9'), { nil: undefined }))
      .map(([path, q]) => (q === undefined ? path : `${path}?${q}`)),
    version: fc.constant('HTTP/1.1'),
    headers: fc.array(fc.constantFrom<[string, string]>(['Content-Type', 'application/json'], ['Content-Type', 'text/plain'],
      ['Expect', '100-continue'], ['Connection', 'close'], ['Authorization', 'Bearer not.a.token'], ['X-Forwarded-For', '203.0.113.9']),
    { maxLength: 3 }),
    framing: fc.constantFrom<Framing>('none', 'length', 'chunked'),
    bodySize: fc.oneof(fc.constantFrom(...space.bodySizes), fc.integer({ min: 0, max: 4096 })),
    chunkSize: fc.constantFrom(7, 512, 8192, 65536),
    unfinishedHead: fc.constant(false),
  });
}

function request(space: CaseSpace): fc.Arbitrary<HostileRequest> {
  const headers = headerArbitraries(space.maxHeaderBytes);
  const framing = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<Framing>('none', 'length', 'chunked') },
    { weight: 4, arbitrary: fc.constantFrom<Framing>('length-short', 'length-long', 'length-duplicate', 'length-conflict', 'chunked-extension',
      'chunked-trailer', 'chunked-bad-size', 'chunked-no-crlf', 'chunked-and-length', 'te-gzip-chunked', 'te-chunked-gzip', 'te-twice',
      'te-mixed-case', 'te-unknown') },
  );
  const bodySize = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...space.bodySizes) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 2048 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Math.max(...space.bodySizes) * 2 }) },
  );
  return fc.record({
    method,
    target: target(space.paths),
    version: fc.oneof({ weight: 30, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1', 'HTTP/0.9') }),
    headers: fc.array(fc.oneof(...headers), { maxLength: 5 }),
    framing,
    bodySize,
    chunkSize: fc.oneof(fc.constantFrom(1, 7, 512, 8192), fc.integer({ min: 1, max: 70000 })),
    unfinishedHead: fc.oneof({ weight: 40, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
}

const timing: fc.Arbitrary<Timing> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Timing>({ kind: 'immediate' }) },
  { weight: 2, arbitrary: fc.integer({ min: 5, max: 300 }).map((ms): Timing => ({ kind: 'pause-after-head', ms })) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('upload-after-answer' as const), firstBytes: fc.integer({ min: 0, max: 16384 }), maxWaitMs: fc.integer({ min: 50, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drip-body' as const), bytesPerWrite: fc.integer({ min: 1, max: 64 }), intervalMs: fc.integer({ min: 20, max: 200 }) }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70000 }).map((afterBytes): Timing => ({ kind: 'abort-mid-body', afterBytes })) },
  { weight: 2, arbitrary: fc.constant<Timing>({ kind: 'abort-mid-response' }) },
  { weight: 2, arbitrary: fc.integer({ min: 10, max: 400 }).map((ms): Timing => ({ kind: 'slow-read', ms })) },
  { weight: 2, arbitrary: fc.constant<Timing>({ kind: 'half-close' }) },
);

export function hostileCase(space: CaseSpace): fc.Arbitrary<HostileCase> {
  return fc.record({
    request: fc.oneof({ weight: 9, arbitrary: request(space) }, { weight: 1, arbitrary: websocketRequest(space) },
      { weight: 5, arbitrary: plausibleRequest(space) }),
    pipelined: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: request(space) }),
    timing,
  });
}

/** The bytes of one request: its head, and its body in the pieces the timing needs. */
export interface WireRequest {
  method: string;
  head: Buffer;
  body: Buffer;
}

function chunked(body: Buffer, size: number, variant: Framing): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    const sizeLine = variant === 'chunked-bad-size' && at === 0 ? 'zz' : piece.length.toString(16);
    parts.push(Buffer.from(`${sizeLine}${variant === 'chunked-extension' ? ';ext="1"' : ''}\r\n`, 'latin1'), piece,
      Buffer.from(variant === 'chunked-no-crlf' ? '' : '\r\n', 'latin1'));
  }
  parts.push(Buffer.from(variant === 'chunked-trailer' ? '0\r\nX-Checksum: 1\r\nContent-Length: 5\r\n\r\n' : '0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

export function toWire(request: HostileRequest): WireRequest {
  const payload = Buffer.alloc(request.bodySize, 'a');
  const lines = [`${request.method} ${request.target} ${request.version}`];
  if (!request.headers.some(([name]) => name.toLowerCase() === 'host')) lines.push('Host: corpus.test');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let body: Buffer = Buffer.alloc(0);
  const { framing } = request;
  const isChunked = framing.startsWith('chunked') || framing.startsWith('te-');
  switch (framing) {
    case 'none':
      break;
    case 'length':
      lines.push(`Content-Length: ${payload.length}`);
      body = payload;
      break;
    case 'length-short':
      // Declares more than it will ever send: the server must give up on it, not wait forever.
      lines.push(`Content-Length: ${payload.length + 1 + (payload.length >> 1)}`);
      body = payload;
      break;
    case 'length-long':
      lines.push(`Content-Length: ${payload.length}`);
      body = Buffer.concat([payload, Buffer.from('SMUGGLED / HTTP/1.1\r\n\r\n', 'latin1')]);
      break;
    case 'length-duplicate':
      lines.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length}`);
      body = payload;
      break;
    case 'length-conflict':
      lines.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`);
      body = payload;
      break;
    case 'chunked-and-length':
      lines.push(`Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked');
      body = chunked(payload, request.chunkSize, framing);
      break;
    case 'te-gzip-chunked':
      lines.push('Transfer-Encoding: gzip, chunked');
      break;
    case 'te-chunked-gzip':
      lines.push('Transfer-Encoding: chunked, gzip');
      break;
    case 'te-twice':
      lines.push('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked');
      break;
    case 'te-mixed-case':
      lines.push('transfer-ENCODING: ChUnKeD');
      break;
    case 'te-unknown':
      lines.push('Transfer-Encoding: xchunked');
      break;
    default:
      lines.push('Transfer-Encoding: chunked');
  }
  if (isChunked && framing !== 'chunked-and-length') body = chunked(payload, request.chunkSize, framing);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n${request.unfinishedHead ? '' : '\r\n'}`, 'latin1');
  // A head that never ends is no request yet: the server cannot know its method, so its answer (a 408)
  // is read by its framing alone, as a GET's would be.
  return { method: request.unfinishedHead ? 'GET' : request.method, head, body: request.unfinishedHead ? Buffer.alloc(0) : body };
}

/** One line per case for failure reports (bodies as sizes, not bytes). */
export function describeCase(hostile: HostileCase): string {
  const one = (r: HostileRequest) => `${r.method} ${JSON.stringify(r.target)} ${r.version} ${r.framing}:${r.bodySize}/${r.chunkSize}` +
    `${r.unfinishedHead ? ' unfinished-head' : ''} ${JSON.stringify(r.headers.map(([n, v]) => `${n}: ${v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v}`))}`;
  return `${one(hostile.request)}${hostile.pipelined ? ` + pipelined ${one(hostile.pipelined)}` : ''} timing=${JSON.stringify(hostile.timing)}`;
}
