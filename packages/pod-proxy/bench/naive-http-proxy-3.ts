// The same naive edge on http-proxy-3 (keep-alive agent, URL target, error handler, no pipeline):
// shows what the library alone costs, next to 1.18.1 and the full pod-proxy. argv: target URL.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyServer } from 'http-proxy-3';

const target = new URL(process.argv[2] ?? 'http://127.0.0.1:3002');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = new ProxyServer({ target, agent });
proxy.on('error', (_error, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
