// RFC 9457 problem+json answers produced by the edge itself, with the enumerated error codes.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every code the edge can answer with; stable, clients may branch on them. */
export const ProblemCode = {
  not_found: 404,
  invalid_path: 400,
  method_not_allowed: 405,
  rate_limited: 429,
  payload_too_large: 413,
  header_too_large: 431,
  bad_request: 400,
  request_timeout: 408,
  forbidden: 403,
  upstream_unavailable: 503,
  upstream_timeout: 504,
  bad_gateway: 502,
  too_many_in_flight: 429,
  too_many_connections: 429,
  upstream_busy: 503,
  expectation_failed: 417,
  internal_error: 500,
} as const;
export type ProblemCode = keyof typeof ProblemCode;

const titles: Record<ProblemCode, string> = {
  not_found: 'Not Found',
  invalid_path: 'Invalid path',
  method_not_allowed: 'Method Not Allowed',
  rate_limited: 'Too Many Requests',
  payload_too_large: 'Content Too Large',
  header_too_large: 'Request Header Fields Too Large',
  bad_request: 'Bad Request',
  request_timeout: 'Request Timeout',
  forbidden: 'Forbidden',
  upstream_unavailable: 'Service Unavailable',
  upstream_timeout: 'Gateway Timeout',
  bad_gateway: 'Bad Gateway',
  too_many_in_flight: 'Too Many Requests',
  too_many_connections: 'Too Many Requests',
  upstream_busy: 'Service Unavailable',
  expectation_failed: 'Expectation Failed',
  internal_error: 'Internal Server Error',
};

export function problemBody(code: ProblemCode, detail: string, requestId: string, instance?: string): string {
  return JSON.stringify({
    type: `https://core-pod.dev/problems/${code.replace(/_/g, '-')}`,
    title: titles[code],
    status: ProblemCode[code],
    detail,
    code,
    ...(instance === undefined ? {} : { instance }),
    requestId,
  });
}

/**
 * Sends a problem answer unless the response has already started: then the only honest thing left is to
 * close the connection (the client sees a truncated answer, never a second status line). Never throws.
 */
export function sendProblem(res: ServerResponse, code: ProblemCode, detail: string, requestId: string,
  headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = problemBody(code, detail, requestId);
  res.statusCode = ProblemCode[code];
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!);
  // Answering before the body arrived: on a kept-alive connection whatever the client still sends would be
  // read as that body, so a client that sends less than it declared waits forever for the next answer.
  if (bodyPending(res.req)) res.setHeader('connection', 'close');
  res.end(body);
}

/** The request declared a body that has not been read to its end yet. */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A complete raw HTTP/1.1 problem answer, for sockets that never became a request (clientError, upgrades).
 * An answer to HEAD carries no body (the client would read the body as the next response).
 */
export function rawProblem(code: ProblemCode, detail: string, requestId: string, headers = '', head = false): string {
  const body = problemBody(code, detail, requestId);
  return `HTTP/1.1 ${ProblemCode[code]} ${titles[code]}\r\ncontent-type: application/problem+json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n${headers}connection: close\r\n\r\n${head ? '' : body}`;
}
