import { expect } from 'chai';
import * as net from 'node:net';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, rawExchange, request, startProxy, type Harness } from './support/harness';

describe('hostile requests', () => {
  let users: EchoUpstream;
  let edge: Harness;

  before(async () => {
    users = await startEchoUpstream();
    edge = await startProxy({
      PROXY_USERS_URL: users.url, PROXY_AUTH_URL: users.url,
      PROXY_USERS_BODY_LIMIT: '1024', PROXY_MAX_HEADER_BYTES: '4096',
      PROXY_HEADERS_TIMEOUT_MS: '400', PROXY_REQUEST_TIMEOUT_MS: '800',
    });
  });
  after(async () => {
    await edge.close();
    await users.close();
  });

  async function stillServes(): Promise<void> {
    const answer = await request(edge.port, { path: '/api/v1/users/alive' });
    expect(answer.status).to.equal(200);
  }

  it('survives a GET with a Trailer header and does not forward the header', async () => {
    // Node's own client refuses to send this, so it goes over a raw socket like an attacker's would.
    const raw = await rawExchange(edge.port, 'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nTrailer: x-checksum\r\nConnection: close\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 200 /);
    expect(users.seen.at(-1)!.headers).to.not.have.property('trailer');
    await stillServes();
  });

  it('answers oversized headers with 431 problem+json', async () => {
    const raw = await rawExchange(edge.port, `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(raw).to.match(/^HTTP\/1\.1 431 /);
    expect(raw).to.include('"code":"header_too_large"');
    await stillServes();
  });

  it('answers a declared body over the route limit with 413 without forwarding it', async () => {
    const before = users.seen.length;
    const answer = await request(edge.port, { method: 'POST', path: '/api/v1/users/me', body: 'x'.repeat(2000) });
    expect(answer.status).to.equal(413);
    expect(answer.json()).to.include({ code: 'payload_too_large' });
    expect(users.seen.length).to.equal(before);
  });

  it('stops a chunked body at the route limit with 413', async () => {
    const chunk = 'y'.repeat(600);
    const raw = await rawExchange(edge.port, 'POST /api/v1/users/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${(600).toString(16)}\r\n${chunk}\r\n${(600).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    expect(raw).to.match(/^HTTP\/1\.1 413 /);
    await stillServes();
  });

  it('passes a chunked body under the limit through', async () => {
    const raw = await rawExchange(edge.port, 'POST /api/v1/users/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5\r\nhello\r\n0\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 200 /);
    expect(raw).to.include('"bodyBytes":5');
  });

  it('refuses Content-Length together with Transfer-Encoding (request smuggling) with 400', async () => {
    const before = users.seen.length;
    const raw = await rawExchange(edge.port, 'POST /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/v1/users/smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 400 /);
    expect(raw).to.include('application/problem+json');
    expect(users.seen.slice(before).some((seen) => seen.url.includes('smuggled'))).to.equal(false);
  });

  it('refuses conflicting duplicate Content-Length headers with 400', async () => {
    const raw = await rawExchange(edge.port, 'POST /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nhello');
    expect(raw).to.match(/^HTTP\/1\.1 400 /);
  });

  it('refuses a malformed method token with 400 and keeps serving', async () => {
    const raw = await rawExchange(edge.port, 'G(ET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 400 /);
    await stillServes();
  });

  it('cuts off a client that sends its body too slowly once the request timeout passes', async () => {
    const socket = net.connect(edge.port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => { received += chunk.toString(); });
    socket.on('close', () => { closed = true; });
    socket.on('error', () => { closed = true; });
    socket.write('POST /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => { if (!socket.destroyed) socket.write('x'); }, 100);
    try {
      await eventually(() => closed, 'the slow body to be cut off', 5000);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    expect(received).to.match(/^HTTP\/1\.1 408 /);
    expect(received).to.include('"code":"request_timeout"');
    await stillServes();
  });

  it('refuses an upgrade to anything but a websocket with 400', async () => {
    const raw = await rawExchange(edge.port, 'GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n' +
      'Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 400 /);
    expect(raw).to.include('"code":"bad_request"');
    await stillServes();
  });

  it('closes a client that sends its headers too slowly (408), without wedging others', async () => {
    const started = Date.now();
    const socket = net.connect(edge.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString(); });
    let closed = false;
    socket.on('close', () => { closed = true; });
    socket.write('GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => { if (!socket.destroyed) socket.write('X-Drip: 1\r\n'); }, 100);
    await stillServes();
    await eventually(() => closed, 'the slow client to be disconnected', 5000);
    clearInterval(drip);
    expect(Date.now() - started).to.be.lessThan(3000);
    expect(received).to.match(/^HTTP\/1\.1 408 /);
  });
});
