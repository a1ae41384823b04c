// Tiny real HTTP servers on port 0 for tests: stand-in services (health + /metrics) and a
// webhook receiver. They stand in for services that are built in other packages.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface Loopback {
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: http.RequestListener): Promise<Loopback> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A service answering /health with the given status (mutable) and /metrics with prom-client defaults. */
export async function fakeService(initial: { code: number; status: string }): Promise<Loopback & { set(code: number, status: string): void }> {
  let current = initial;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const loopback = await listen((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      });
      return;
    }
    res.writeHead(current.code, { 'content-type': 'application/health+json' });
    res.end(JSON.stringify({ status: current.status }));
  });
  return { ...loopback, set: (code, status) => (current = { code, status }) };
}

export async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${deadlineMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A loopback port nothing listens on right now (for "not running" cases and child processes). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
