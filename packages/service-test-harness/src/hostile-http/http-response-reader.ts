// Reads what a server wrote on one connection as a sequence of HTTP/1.1 responses, strictly: a status
// line, token header names, then the body framed as RFC 9112 says (1xx/204/304/HEAD: none; chunked;
// Content-Length; else until close). A connection may end inside a message (the server cut it on
// purpose); anything that is not a valid prefix of HTTP/1.1 responses is an error.

export interface ReadResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
  /** False when the connection ended inside this response. */
  complete: boolean;
}

export interface ReadOutcome {
  responses: ReadResponse[];
  /** Why the bytes are not HTTP/1.1, or null. */
  error: string | null;
  /** Bytes after a 101 Switching Protocols (no longer HTTP). */
  upgraded: boolean;
}

const statusLine = /^HTTP\/1\.1 ([1-5]\d\d) [\t\x20-\x7e\x80-\xff]*$/;
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([\t\x20-\x7e\x80-\xff]*?)[\t ]*$/;

export function header(response: ReadResponse, name: string): string | undefined {
  return response.headers[name]?.join(', ');
}

/**
 * `methods` are the methods of the requests sent on the connection, in order (HEAD answers have no
 * body); `closed` says whether the server closed the connection (a body "until close" is complete).
 */
export function readResponses(data: Buffer, methods: readonly string[], closed: boolean): ReadOutcome {
  const responses: ReadResponse[] = [];
  let at = 0;
  let requestIndex = 0;
  const fail = (error: string): ReadOutcome => ({ responses, error, upgraded: false });
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd === -1) {
      const partial = data.subarray(at).toString('latin1');
      // A cut inside the head is still a valid prefix when what arrived is well-formed so far.
      const validSoFar = partial.length < 9 ? 'HTTP/1.1 '.startsWith(partial) : partial.startsWith('HTTP/1.1 ');
      if (!validSoFar) return fail(`not a status line: ${JSON.stringify(partial.slice(0, 40))}`);
      responses.push({ status: Number(partial.slice(9, 12)) || 0, headers: {}, body: Buffer.alloc(0), complete: false });
      return { responses, error: null, upgraded: false };
    }
    const lines = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const first = statusLine.exec(lines[0]!);
    if (first === null) return fail(`bad status line ${JSON.stringify(lines[0]!.slice(0, 60))}`);
    const status = Number(first[1]);
    const headers: Record<string, string[]> = {};
    for (const line of lines.slice(1)) {
      const match = headerLine.exec(line);
      if (match === null) return fail(`bad header line ${JSON.stringify(line.slice(0, 60))} after ${lines[0]}`);
      (headers[match[1]!.toLowerCase()] ??= []).push(match[2]!);
    }
    at = headEnd + 4;
    const response: ReadResponse = { status, headers, body: Buffer.alloc(0), complete: true };
    responses.push(response);
    if (status === 101) return { responses, error: null, upgraded: true };
    if (status >= 100 && status < 200) continue; // interim (100 Continue): the final answer follows
    const method = methods[requestIndex++] ?? 'GET';
    const transferEncoding = header(response, 'transfer-encoding');
    const contentLength = headers['content-length'];
    if (transferEncoding !== undefined && contentLength !== undefined) return fail('both Transfer-Encoding and Content-Length');
    if (method === 'HEAD' || status === 204 || status === 304) continue;
    if (transferEncoding !== undefined) {
      if (transferEncoding.toLowerCase() !== 'chunked') return fail(`unexpected Transfer-Encoding ${transferEncoding}`);
      const chunks: Buffer[] = [];
      for (;;) {
        const sizeEnd = data.indexOf('\r\n', at, 'latin1');
        if (sizeEnd === -1) {
          response.complete = false;
          break;
        }
        const sizeText = data.subarray(at, sizeEnd).toString('latin1');
        if (!/^[0-9a-fA-F]{1,8}(;.*)?$/.test(sizeText)) return fail(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
        const size = parseInt(sizeText, 16);
        at = sizeEnd + 2;
        if (size === 0) {
          const trailerEnd = data.indexOf('\r\n\r\n', at - 2, 'latin1');
          if (trailerEnd === -1) {
            response.complete = false;
            at = data.length;
          } else {
            at = trailerEnd + 4;
          }
          break;
        }
        if (at + size + 2 > data.length) {
          chunks.push(data.subarray(at));
          response.complete = false;
          at = data.length;
          break;
        }
        chunks.push(data.subarray(at, at + size));
        if (data.toString('latin1', at + size, at + size + 2) !== '\r\n') return fail('chunk not followed by CRLF');
        at += size + 2;
      }
      response.body = Buffer.concat(chunks);
      if (!response.complete) return { responses, error: null, upgraded: false };
      continue;
    }
    if (contentLength !== undefined) {
      if (new Set(contentLength).size !== 1 || !/^\d+$/.test(contentLength[0]!)) return fail(`bad Content-Length ${contentLength.join(',')}`);
      const length = Number(contentLength[0]);
      response.body = data.subarray(at, Math.min(data.length, at + length));
      if (at + length > data.length) {
        response.complete = false;
        return { responses, error: null, upgraded: false };
      }
      at += length;
      continue;
    }
    // No framing: the body runs until the server closes the connection.
    response.body = data.subarray(at);
    response.complete = closed;
    return { responses, error: null, upgraded: false };
  }
  return { responses, error: null, upgraded: false };
}
