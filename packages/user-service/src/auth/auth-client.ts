// Calls to the auth service over loopback: the JWKS, the revocation feed and the internal user API
// (bearer internal token). A keep-alive agent keeps the hop to one round trip on a warm socket.
import http from 'node:http';

export interface AuthUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  disabled: boolean;
  createdAt: string;
}

export interface RevokedSession {
  sessionId: string;
  userId: string;
  revokedAt: string;
  reason: string;
}

export interface RevocationPage {
  cursor: number;
  revoked: RevokedSession[];
}

export interface PublicJwk {
  kty: string;
  kid?: string;
  alg?: string;
  crv?: string;
  x?: string;
  y?: string;
  use?: string;
}

/** Auth answered with a status we did not expect (carries its problem code when it sent one). */
export class AuthResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`auth answered ${status}${code ? ` ${code}` : ''}`);
    this.name = 'AuthResponseError';
  }
}

/** Auth could not be reached at all (refused, reset, timed out). */
export class AuthUnreachableError extends Error {
  constructor(cause: Error) {
    super(`auth unreachable: ${cause.message}`, { cause });
    this.name = 'AuthUnreachableError';
  }
}

export interface AuthClientOptions {
  baseUrl: string;
  internalToken: string;
  timeoutMs: number;
  /** Called after every call (metrics): operation name, HTTP status or "unreachable", seconds. */
  observe?: (operation: string, outcome: string, seconds: number) => void;
}

interface JsonResponse {
  status: number;
  body: unknown;
}

export function createAuthClient({ baseUrl, internalToken, timeoutMs, observe }: AuthClientOptions) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16, keepAliveMsecs: 10_000 });
  const base = new URL(baseUrl);

  async function request(operation: string, method: string, path: string, body?: unknown, internal = true): Promise<JsonResponse> {
    const started = performance.now();
    let outcome = 'unreachable';
    try {
      const response = await send(method, path, body, internal);
      outcome = String(response.status);
      return response;
    } finally {
      observe?.(operation, outcome, (performance.now() - started) / 1000);
    }
  }

  function send(method: string, path: string, body: unknown, internal: boolean): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (internal) headers.authorization = `Bearer ${internalToken}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    } else if (method !== 'GET') {
      // Without it Node sends an empty chunked body, which a JSON-only endpoint may refuse (415).
      headers['content-length'] = '0';
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, method, host: base.hostname, port: base.port || 80, path, headers, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => reject(new AuthUnreachableError(err)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(new AuthUnreachableError(err)));
      req.end(payload);
    });
  }

  function expect(response: JsonResponse, ...ok: number[]): unknown {
    if (ok.includes(response.status)) return response.body;
    const code = (response.body as { code?: unknown } | undefined)?.code;
    throw new AuthResponseError(response.status, typeof code === 'string' ? code : undefined);
  }

  const userPath = (id: string) => `/internal/v1/users/${encodeURIComponent(id)}`;

  return {
    async jwks(): Promise<{ keys: PublicJwk[] }> {
      const body = expect(await request('jwks', 'GET', '/api/v1/auth/.well-known/jwks.json', undefined, false), 200) as { keys?: unknown };
      if (!Array.isArray(body?.keys)) throw new AuthResponseError(200, 'malformed_jwks');
      return { keys: body.keys as PublicJwk[] };
    },
    async revocations(since: number | undefined): Promise<RevocationPage> {
      const query = since === undefined ? '' : `?since=${since}`;
      const body = expect(await request('revocations', 'GET', `/internal/v1/revocations${query}`), 200) as RevocationPage;
      if (typeof body?.cursor !== 'number' || !Array.isArray(body.revoked)) throw new AuthResponseError(200, 'malformed_feed');
      return body;
    },
    getUser: async (id: string) => expect(await request('get_user', 'GET', userPath(id)), 200) as AuthUser,
    setRole: async (id: string, role: 'user' | 'admin') => expect(await request('set_role', 'PUT', `${userPath(id)}/role`, { role }), 200) as AuthUser,
    disable: async (id: string) => expect(await request('disable', 'POST', `${userPath(id)}/disable`), 200) as AuthUser,
    enable: async (id: string) => expect(await request('enable', 'POST', `${userPath(id)}/enable`), 200) as AuthUser,
    async deleteUser(id: string): Promise<void> {
      expect(await request('delete_user', 'DELETE', userPath(id)), 204, 200);
    },
    close: () => agent.destroy(),
  };
}

export type AuthClient = ReturnType<typeof createAuthClient>;
