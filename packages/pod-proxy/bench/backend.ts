// The trivial backend every bench row shares: a fixed small JSON answer, long keep-alive so that the
// proxies' pools (idle windows of a few seconds) never race a closing socket. Prints "listening <port>".
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ id: 42, name: 'bench', roles: ['user'] });
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
