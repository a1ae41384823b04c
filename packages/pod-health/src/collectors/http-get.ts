// One bounded HTTP GET over loopback (status, body, latency), shared by the probes and the
// gathering of each service's /metrics. Never rejects: failures come back as `error`.
import http from 'node:http';

export interface GetResult {
  statusCode: number | null;
  body: string;
  latencySeconds: number;
  error: string | null;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function httpGet(url: string, timeoutMs: number, accept = '*/*'): Promise<GetResult> {
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (statusCode: number | null, body: string, error: string | null): void => {
      if (settled) return;
      settled = true;
      resolve({ statusCode, body, latencySeconds: elapsed(), error });
    };
    const req = http.get(url, { headers: { accept }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error('response body too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(res.statusCode ?? null, Buffer.concat(chunks).toString('utf8'), null));
      res.on('error', (err) => finish(res.statusCode ?? null, '', err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err) => finish(null, '', err.message));
  });
}
