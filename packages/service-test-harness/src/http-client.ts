// Small fetch wrapper for the integration tests: JSON in, status + headers + parsed body out.
export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export type HttpClient = ReturnType<typeof client>;

export function client(baseUrl: string) {
  return {
    baseUrl,
    get: (path: string, options?: CallOptions) => call(baseUrl, 'GET', path, options),
    post: (path: string, options?: CallOptions) => call(baseUrl, 'POST', path, options),
    put: (path: string, options?: CallOptions) => call(baseUrl, 'PUT', path, options),
    patch: (path: string, options?: CallOptions) => call(baseUrl, 'PATCH', path, options),
    delete: (path: string, options?: CallOptions) => call(baseUrl, 'DELETE', path, options),
  };
}
