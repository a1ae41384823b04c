// The floor for a Node edge: node:http server + http.request on a keep-alive LIFO agent + pipe, no proxy
// library, no pipeline, no log (the bench's reference for what Node's HTTP stack alone costs). argv: target URL.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const target = new URL(process.argv[2] ?? 'http://127.0.0.1:3002');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
const server = http.createServer((req, res) => {
  const proxyReq = http.request({
    host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent,
  }, (proxyRes) => {
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.headers);
    proxyRes.pipe(res);
  });
  proxyReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(proxyReq);
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
