// A real HTTP upstream for tests: echoes what it received as JSON; special paths stall, stream or
// upgrade to a websocket, so the proxy can be tested against real sockets.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoUpstream {
  url: string;
  port: number;
  server: http.Server;
  /** Requests received, in order. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number }[];
  /** Requests that were closed by the proxy before the upstream answered. */
  abortedCount(): number;
  openConnections(): number;
  /** Connections ever accepted. */
  acceptedConnections(): number;
  /** Closes every websocket from the upstream side. */
  terminateWebSockets(): void;
  close(): Promise<void>;
}

export async function startEchoUpstream(port = 0): Promise<EchoUpstream> {
  const seen: EchoUpstream['seen'] = [];
  const sockets = new Set<Socket>();
  let aborted = 0;
  let accepted = 0;
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => { bodyBytes += chunk.length; });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      if (req.url?.includes('/stall')) {
        // Never answers; records when the proxy gives up on it.
        res.on('close', () => { if (!res.writableFinished) aborted++; });
        return;
      }
      if (req.url?.includes('/slow')) {
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('slow done'), 400);
        return;
      }
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'keep-alive': 'timeout=5',
        'x-upstream': 'echo',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    accepted++;
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    seen,
    abortedCount: () => aborted,
    openConnections: () => sockets.size,
    acceptedConnections: () => accepted,
    terminateWebSockets: () => { for (const client of wss.clients) client.terminate(); },
    async close() {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
