// Each known http-proxy 1.18.1 defect, shown absent in our edge (and, for the crash, shown present in a
// naive 1.18.1 setup run in a child process, so the test is known to be able to fail).
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startChild } from './support/child-process';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, rawExchange, request, startProxy, unusedPort, type Harness } from './support/harness';

const trailerGet = 'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nTrailer: x-checksum\r\nConnection: close\r\n\r\n';
const openFds = () => readdirSync('/proc/self/fd').length;

describe('http-proxy 1.18.1 defects are absent in the edge', () => {
  let upstream: EchoUpstream;
  let edge: Harness;

  before(async () => {
    upstream = await startEchoUpstream();
    edge = await startProxy({ PROXY_USERS_URL: upstream.url, PROXY_USERS_RATE: '10000', PROXY_USERS_BURST: '10000' });
  });
  after(async () => {
    await edge.close();
    await upstream.close();
  });

  it('a GET with a Trailer header kills a naive http-proxy 1.18.1 process (#1647) but not the edge', async () => {
    const naive = await startChild(join(__dirname, '../bench/naive-http-proxy.ts'), [upstream.url]);
    try {
      await rawExchange(naive.port, trailerGet, 2000).catch(() => '');
      expect(await naive.exited).to.not.equal(0);
    } finally {
      naive.child.kill();
    }
    expect(await rawExchange(edge.port, trailerGet)).to.match(/^HTTP\/1\.1 200 /);
    expect((await request(edge.port, { path: '/api/v1/users/me' })).status).to.equal(200);
  });

  /** Sends 20 requests the upstream never answers through `port`, then aborts every client. */
  async function abortTwentyClients(port: number, into: EchoUpstream): Promise<void> {
    const clients: net.Socket[] = [];
    const seenBefore = into.seen.length;
    for (let i = 0; i < 20; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.write(`GET /api/v1/users/stall/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      clients.push(socket);
    }
    await eventually(() => into.seen.length - seenBefore === 20, 'all 20 requests to reach the upstream');
    for (const socket of clients) socket.destroy();
  }

  it('a naive http-proxy 1.18.1 edge leaves upstream requests hanging when clients abort (#1586)', async () => {
    const own = await startEchoUpstream();
    const naive = await startChild(join(__dirname, '../bench/naive-http-proxy.ts'), [own.url]);
    try {
      await abortTwentyClients(naive.port, own);
      // Control: give it far longer than the edge needs below; nothing is cancelled.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(own.abortedCount()).to.equal(0);
      expect(own.openConnections()).to.equal(20);
    } finally {
      naive.child.kill();
      await own.close();
    }
  });

  it('releases the upstream request and sockets when clients abort (#1586)', async () => {
    const abortedBefore = upstream.abortedCount();
    await abortTwentyClients(edge.port, upstream);
    await eventually(() => upstream.abortedCount() - abortedBefore === 20, 'the upstream to see all 20 requests cancelled');
    await eventually(() => edge.proxy.inFlight === 0, 'no request in flight at the edge');
    const agent = edge.proxy.routes.find((route) => route.name === 'users')!.upstream.agent;
    await eventually(() => Object.keys(agent.sockets).length === 0, 'no upstream socket left busy');
    const connections = await new Promise<number>((resolve) => edge.proxy.server.getConnections((_e, count) => resolve(count)));
    expect(connections).to.equal(0);
  });

  it('does not leak file descriptors when websockets close, from either side', async () => {
    const baseline = openFds();
    for (const closer of ['client', 'upstream'] as const) {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/api/v1/users/socket`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      })));
      const closed = sockets.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      if (closer === 'client') for (const ws of sockets) ws.close();
      else upstream.terminateWebSockets();
      await Promise.all(closed);
    }
    await eventually(() => upstream.openConnections() === 0, 'the upstream websocket connections to close');
    await eventually(() => openFds() <= baseline + 2, `open fds to return to ${baseline} (now ${openFds()})`);
  });
});

describe('websocket pass-through', () => {
  let upstream: EchoUpstream;
  let edge: Harness;

  before(async () => {
    upstream = await startEchoUpstream();
    edge = await startProxy({ PROXY_AUTH_URL: upstream.url, PROXY_USERS_URL: upstream.url });
  });
  after(async () => {
    await edge.close();
    await upstream.close();
  });

  it('proxies an upgrade and messages both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/api/v1/users/socket`, { headers: { 'x-request-id': 'ws-1' } });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
    ws.send('ping');
    expect(await reply).to.equal('echo:ping');
    expect(upstream.seen.length).to.equal(0);
    ws.close();
    await eventually(() => edge.logLines.some((line) => line.requestId === 'ws-1' && line.status === 101), 'the websocket access-log line');
  });

  it('refuses an upgrade on an unknown path with a 404 problem document', async () => {
    const raw = await rawExchange(edge.port, 'GET /internal/v1/socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 404 /);
    expect(raw).to.include('"code":"not_found"');
  });

  it('answers an upgrade with 503 when the upstream is down', async () => {
    const down = await startProxy({ PROXY_USERS_URL: `http://127.0.0.1:${await unusedPort()}` });
    try {
      const raw = await rawExchange(down.port, 'GET /api/v1/users/socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      expect(raw).to.match(/^HTTP\/1\.1 503 /);
    } finally {
      await down.close();
    }
  });
});
