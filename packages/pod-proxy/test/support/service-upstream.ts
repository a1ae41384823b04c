// An upstream built from the services' own express stack (http-service's jsonBody, requestContext-free
// problemHandler, notFoundHandler), with routes that answer the way real handlers do — and early: before
// the body is read (415, 413 from the declared length, 401 from an auth check), while it streams, late,
// never, or by breaking the connection. The hostile corpus runs the edge in front of it.
import express from 'express';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { jsonBody, notFoundHandler, problemHandler, ProblemError } from '@core-pod/http-service';

export interface ServiceUpstream {
  url: string;
  openConnections(): number;
  close(): Promise<void>;
}

/** Routes, relative to the prefix; the corpus aims its targets at them. */
export const serviceUpstreamRoutes = ['json', 'deny', 'echo', 'stream', 'big', 'slow', 'stall', 'reset', 'half', 'ws'];

export async function startServiceUpstream(prefixes: readonly string[]): Promise<ServiceUpstream> {
  const app = express();
  app.disable('x-powered-by');
  const router = express.Router();
  // Like every JSON route of auth and users: 415 for another media type and 413 over the declared
  // length, both before a byte of the body is read.
  router.all('/json', jsonBody({ limit: '16kb' }), (req, res) => {
    res.json({ received: req.body === undefined ? null : typeof req.body });
  });
  // Like an authenticated route without a token: answers at once, never reads the body.
  router.all('/deny', () => {
    throw new ProblemError({ status: 401, code: 'unauthorized', detail: 'Missing bearer token.' });
  });
  router.all('/echo', (req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    req.on('end', () => res.json({ bytes }));
  });
  // Answers headers at once and streams the body back while it is still arriving.
  router.all('/stream', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    req.pipe(res);
  });
  router.all('/big', (_req, res) => {
    res.type('text/plain').send('z'.repeat(256 * 1024));
  });
  router.all('/slow', (_req, res) => {
    setTimeout(() => res.json({ slow: true }), 150);
  });
  router.all('/stall', () => {
    // Never answers: the edge's upstream timeout must.
  });
  router.all('/reset', (req) => {
    req.socket.destroy();
  });
  router.all('/half', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
    res.write('half of it');
    setTimeout(() => res.socket?.destroy(), 10);
  });
  for (const prefix of prefixes) app.use(prefix, router);
  app.use(notFoundHandler());
  app.use(problemHandler());

  const server = http.createServer(app);
  // As the services' http-service startServer does.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const refuse = (status: number, title: string, code: string) => {
      const body = JSON.stringify({ type: 'about:blank', title, status, code });
      socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (!req.url?.includes('/ws')) return refuse(404, 'Not Found', 'not_found');
    // A service answers a broken handshake with a problem document too (ws's own answer is text/html).
    if (req.headers['sec-websocket-version'] !== '13' || !/^[A-Za-z0-9+/]{22}==$/.test(req.headers['sec-websocket-key'] ?? '')) {
      return refuse(400, 'Bad Request', 'bad_handshake');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    openConnections: () => sockets.size,
    async close() {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
