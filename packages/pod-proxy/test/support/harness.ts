// Builds a real proxy on loopback (port 0) in front of given upstream URLs, plus small HTTP helpers.
import * as http from 'node:http';
import * as net from 'node:net';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig, type ProxyConfig } from '../../src/config';
import { createProxy, type Proxy, type ProxyDeps } from '../../src/proxy';

export interface Harness {
  proxy: Proxy;
  config: ProxyConfig;
  port: number;
  tlsPort: number | null;
  adminPort: number;
  logLines: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A port nobody listens on (bound, then released), for "upstream down" cases. */
export async function unusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startProxy(env: Record<string, string>, deps: ProxyDeps = {}): Promise<Harness> {
  const config = loadConfig({
    PROXY_HOST: '127.0.0.1', PROXY_PORT: '0', PROXY_ADMIN_PORT: '0', PROXY_TLS_PORT: '0',
    // pod-health is absent in most tests: a closed port answers "refused" at once.
    PROXY_HEALTH_URL: env.PROXY_HEALTH_URL ?? `http://127.0.0.1:${await unusedPort()}`,
    // Tests poll the edge endpoints and expect each answer fresh; edge-guards.test.ts covers the defaults.
    PROXY_HEALTH_CACHE_MS: '0', PROXY_EDGE_RATE: '100000', PROXY_EDGE_BURST: '100000',
    ...env,
  });
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const proxy = createProxy(config, { logger: pino({ level: 'info' }, sink), ...deps });
  const { port, tlsPort, adminPort } = await proxy.listen();
  return { proxy, config, port, tlsPort, adminPort, logLines, close: () => proxy.close() };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function request(port: number, options: http.RequestOptions & { body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes and returns everything the server wrote before closing (or until timeoutMs). */
export function rawExchange(port: number, payload: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); resolve(Buffer.concat(chunks).toString()); }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString()); });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
    socket.write(payload);
  });
}

/** Polls until check() is truthy or the deadline passes (then throws with the description). */
export async function eventually<T>(check: () => T | Promise<T>, description: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
