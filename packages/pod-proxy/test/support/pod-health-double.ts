// A stand-in for pod-health on loopback (the real one is a separate package): fixed documents, or
// silence when hanging.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PodHealthDoubleOptions {
  /** Accept connections and never answer. */
  hang?: boolean;
  /** What /health reports (pod-health answers 503 on fail); pass by default. */
  health?: 'pass' | 'warn' | 'fail';
}

export async function startPodHealthDouble(options: PodHealthDoubleOptions = {}) {
  const health = options.health ?? 'pass';
  const server = http.createServer((req, res) => {
    if (options.hang) return;
    const documents: Record<string, [string, string]> = {
      '/health': ['application/health+json', `{"status":"${health}","checks":{"auth:responseTime":[{"status":"${health}"}]},"from":"pod-health"}`],
      '/status': ['application/json', '[{"name":"auth","pid":42,"state":"RUNNING","uptime":7,"restarts":1,"cpu":0.1,"memory":1000}]'],
      '/metrics': ['text/plain; version=0.0.4', 'pod_service_up{service="auth"} 1\n'],
    };
    const document = documents[req.url ?? ''];
    if (!document) {
      res.writeHead(404).end();
      return;
    }
    const status = req.url === '/health' && health === 'fail' ? 503 : 200;
    res.writeHead(status, { 'content-type': document[0] }).end(document[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
