// Named regressions for the hostile-client guards (issue 11): each one failed on the edge before them.
// Raw sockets against a real proxy in front of real upstreams on loopback.
import { expect } from 'chai';
import fc from 'fast-check';
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';
import { eventually, rawExchange, request, startProxy, type Harness } from './support/harness';
import { startServiceUpstream, type ServiceUpstream } from './support/service-upstream';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number; body: string }

/** An upstream that records every request it parsed (and how much body reached it), answering 200. */
async function recordingUpstream(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: 0, body: '' };
    seen.push(entry);
    req.on('data', (chunk: Buffer) => {
      entry.bodyBytes += chunk.length;
      if (entry.body.length < 4096) entry.body += chunk.toString('latin1');
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    req.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A raw client: write what you like, read everything until the server closes or `timeoutMs`. */
function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  return {
    socket,
    text: () => Buffer.concat(chunks).toString('latin1'),
    write: (data: string | Buffer) => new Promise<void>((resolve) => {
      if (socket.destroyed || !socket.writable) return resolve();
      socket.write(data, () => resolve());
    }),
    async closedWithin(ms: number): Promise<boolean> {
      return Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
    },
    destroy: () => socket.destroy(),
  };
}

const chunk = (bytes: number) => `${bytes.toString(16)}\r\n${'a'.repeat(bytes)}\r\n`;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function failureLines(harness: Harness): unknown[] {
  return harness.logLines.filter((line) => Number(line.level) >= 50);
}

describe('edge guards (issue 11 regressions)', function () {
  this.timeout(20_000);

  describe('in front of the services\' express stack', () => {
    let upstream: ServiceUpstream;
    let harness: Harness;
    before(async () => {
      upstream = await startServiceUpstream(['/api/v1/users']);
      harness = await startProxy({ PROXY_USERS_URL: upstream.url, PROXY_USERS_BODY_LIMIT: String(64 * 1024) });
    });
    after(async () => {
      await harness?.close();
      await upstream?.close();
    });

    it('survives a chunked upload the upstream answered early (415) that goes on past the body limit', async () => {
      // The reproduction: the body limit used to set a header after the 415 was sent and the
      // ERR_HTTP_HEADERS_SENT thrown in the body stream ended the process.
      const client = rawClient(harness.port);
      await client.write('POST /api/v1/users/json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
      await client.write(chunk(8192));
      await wait(300);
      expect(client.text()).to.match(/^HTTP\/1\.1 415 /);
      for (let i = 0; i < 16; i++) await client.write(chunk(8192));
      expect(await client.closedWithin(5000), 'the connection ends').to.equal(true);
      expect(client.text()).to.match(/^HTTP\/1\.1 415 /);
      expect(client.text()).to.match(/connection: close/i);
      const after = await request(harness.port, { path: '/api/v1/users/slow' });
      expect(after.status).to.equal(200);
      expect(failureLines(harness)).to.deep.equal([]);
    });

    it('lets a client that is still uploading read the whole 413 (lingering close, no reset)', async () => {
      const client = rawClient(harness.port);
      await client.write(`POST /api/v1/users/echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`);
      // Keeps writing for a while after the edge answered, then reads.
      for (let i = 0; i < 32; i++) await client.write(Buffer.alloc(16 * 1024, 'a'));
      await client.closedWithin(5000);
      const text = client.text();
      expect(text).to.match(/^HTTP\/1\.1 413 /);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      expect(JSON.parse(body)).to.include({ code: 'payload_too_large' });
    });

    it('closes the client connection when the upstream dies mid-response', async () => {
      const client = rawClient(harness.port);
      await client.write('GET /api/v1/users/half HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await client.closedWithin(2000), 'closed, not left waiting for the missing bytes').to.equal(true);
      expect(client.text()).to.match(/^HTTP\/1\.1 200 /);
    });

    it('answers a CONNECT and an upgrade pipelined behind a slow request after that request\'s answer', async () => {
      for (const second of ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
        'GET /api/v1/users/x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n']) {
        const text = await rawExchange(harness.port, `GET /api/v1/users/slow HTTP/1.1\r\nHost: x\r\n\r\n${second}`, 3000);
        expect(text, second).to.match(/^HTTP\/1\.1 200 /);
        const secondAnswer = text.indexOf('HTTP/1.1 ', 5);
        expect(text.slice(0, secondAnswer), 'the first answer is complete').to.contain('{"slow":true}');
        expect(text.slice(secondAnswer), second).to.match(/^HTTP\/1\.1 (405|400) /);
      }
      expect((await request(harness.port, { path: '/api/v1/users/slow' })).status).to.equal(200);
    });
  });

  describe('framing and targets', () => {
    let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
    let harness: Harness;
    before(async () => {
      upstream = await recordingUpstream();
      harness = await startProxy({ PROXY_USERS_URL: upstream.url, PROXY_USERS_BODY_LIMIT: String(64 * 1024), PROXY_TRUSTED_PROXIES: '127.0.0.1' });
    });
    beforeEach(() => { upstream.seen.length = 0; });
    after(async () => {
      await harness?.close();
      await upstream?.close();
    });

    it('keeps the body limit however Connection names the framing headers', async () => {
      // Spellings generated from a fixed seed; each used to drop Transfer-Encoding before the count.
      const tokens = fc.array(fc.constantFrom('transfer-encoding', 'Transfer-Encoding', 'content-length', 'host', 'close', 'keep-alive', 'TE'),
        { minLength: 1, maxLength: 3 }).filter((list) => list.some((t) => /transfer-encoding|content-length|host/i.test(t)));
      for (const list of fc.sample(tokens, { seed: 11, numRuns: 6 })) {
        upstream.seen.length = 0;
        const client = rawClient(harness.port);
        await client.write(`POST /api/v1/users/upload HTTP/1.1\r\nHost: x\r\nConnection: ${list.join(', ')}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        for (let i = 0; i < 64 && !client.socket.destroyed; i++) await client.write(chunk(8192)); // 512 KiB
        await client.write('0\r\n\r\n');
        await client.closedWithin(3000);
        expect(client.text(), list.join(', ')).to.match(/^HTTP\/1\.1 413 /);
        const received = upstream.seen.reduce((sum, seen) => sum + seen.bodyBytes, 0);
        expect(received, `${list.join(', ')}: bytes that reached the upstream`).to.be.at.most(64 * 1024);
        client.destroy();
      }
    });

    it('forwards a chunked DELETE/OPTIONS body as a body, never as a second request (smuggling)', async () => {
      const smuggled = 'GET /api/v1/users/smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
      for (const method of ['DELETE', 'OPTIONS']) {
        upstream.seen.length = 0;
        const text = await rawExchange(harness.port,
          `${method} /api/v1/users/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`, 3000);
        expect(text).to.match(/^HTTP\/1\.1 200 /);
        await wait(100);
        expect(upstream.seen.map((seen) => seen.url), method).to.deep.equal(['/api/v1/users/thing']);
        expect(upstream.seen[0]!.body, method).to.equal(smuggled);
      }
    });

    it('refuses a raw # in the target with 400 invalid_path instead of forwarding another path', async () => {
      for (const target of ['/api/v1/users/..#', '/api/v1/users/me#frag', '/api/v1/users/x/..#/y']) {
        const text = await rawExchange(harness.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 3000);
        expect(text, target).to.match(/^HTTP\/1\.1 400 /);
        expect(text, target).to.contain('"code":"invalid_path"');
      }
      expect(upstream.seen).to.deep.equal([]);
    });

    it('believes and forwards only IP-literal X-Forwarded-For hops', async () => {
      const hops = fc.constantFrom('<script>', 'unknown', '1.2.3.4:80', '[::1]:443', 'fe80::1%eth0', '', '_hidden', '300.1.1.1', '198.51.100.7', '2001:db8::1');
      for (const chain of fc.sample(fc.array(hops, { minLength: 1, maxLength: 4 }), { seed: 5, numRuns: 25 })) {
        upstream.seen.length = 0;
        const answer = await request(harness.port, { path: '/api/v1/users/me', headers: { 'x-forwarded-for': chain.join(', ') } });
        expect(answer.status).to.equal(200);
        const forwarded = String(upstream.seen[0]!.headers['x-forwarded-for']).split(',').map((hop) => hop.trim());
        for (const hop of forwarded) expect(net.isIP(hop), `${chain.join(', ')} → ${forwarded.join(', ')}`).to.not.equal(0);
        expect(net.isIP(String(upstream.seen[0]!.headers['x-real-ip']))).to.not.equal(0);
      }
    });
  });

  describe('one client cannot hold the upstream pool', () => {
    let upstream: ServiceUpstream;
    let harness: Harness;
    before(async () => {
      upstream = await startServiceUpstream(['/api/v1/users']);
      harness = await startProxy({
        PROXY_USERS_URL: upstream.url, PROXY_TRUSTED_PROXIES: '127.0.0.1', PROXY_UPSTREAM_MAX_SOCKETS: '8',
        PROXY_CLIENT_MAX_IN_FLIGHT: '2', PROXY_BODY_TIMEOUT_MS: '300', PROXY_BODY_MIN_RATE: '1000', PROXY_USERS_RATE: '1000', PROXY_USERS_BURST: '1000',
      });
    });
    after(async () => {
      await harness?.close();
      await upstream?.close();
    });

    it('caps a slow uploader\'s requests in flight, cuts its bodies off, and serves everyone else meanwhile', async () => {
      const slow = Array.from({ length: 4 }, () => rawClient(harness.port));
      for (const client of slow) {
        await client.write('POST /api/v1/users/echo HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.1\r\nContent-Length: 1000\r\n\r\n');
      }
      const drip = setInterval(() => { for (const client of slow) void client.write('a'); }, 100);
      try {
        const other = await request(harness.port, { path: '/api/v1/users/slow', headers: { 'x-forwarded-for': '203.0.113.2' } });
        expect(other.status, 'another client is served while the slow one uploads').to.equal(200);
        const answers = await eventually(() => {
          const heads = slow.map((client) => client.text().slice(0, 12));
          return heads.every((head) => head.startsWith('HTTP/1.1 ')) ? heads : undefined;
        }, 'every slow upload answered', 5000);
        expect(answers!.filter((head) => head === 'HTTP/1.1 429').length, 'beyond the in-flight cap').to.equal(2);
        expect(answers!.filter((head) => head === 'HTTP/1.1 408').length, 'cut off below the minimum data rate').to.equal(2);
        expect(slow.map((client) => client.text()).join('')).to.contain('"code":"too_many_in_flight"');
      } finally {
        clearInterval(drip);
        for (const client of slow) client.destroy();
      }
      await eventually(() => harness.proxy.guards().inFlightSlots === 0 || undefined, 'in-flight slots released');
    });
  });

  describe('per-IP connection cap', () => {
    let upstream: ServiceUpstream;
    let harness: Harness;
    before(async () => {
      upstream = await startServiceUpstream(['/api/v1/users']);
      harness = await startProxy({ PROXY_USERS_URL: upstream.url, PROXY_MAX_CONNECTIONS_PER_IP: '3' });
    });
    after(async () => {
      await harness?.close();
      await upstream?.close();
    });

    it('answers the connection over the cap with 429 too_many_connections and serves again once one closes', async () => {
      const held = Array.from({ length: 3 }, () => rawClient(harness.port));
      await Promise.all(held.map((client) => once(client.socket, 'connect')));
      await wait(50);
      const over = rawClient(harness.port);
      expect(await over.closedWithin(2000)).to.equal(true);
      expect(over.text()).to.match(/^HTTP\/1\.1 429 /);
      expect(over.text()).to.contain('"code":"too_many_connections"');
      held[0]!.destroy();
      await eventually(() => harness.proxy.guards().connectionSlots === 2 || undefined, 'the slot given back');
      expect((await request(harness.port, { path: '/api/v1/users/slow' })).status).to.equal(200);
      for (const client of held) client.destroy();
    });
  });

  describe('edge endpoints', () => {
    let fetches = 0;
    let health: http.Server;
    let harness: Harness;
    before(async () => {
      health = http.createServer((_req, res) => {
        fetches++;
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/health+json' }).end('{"status":"pass"}'), 50);
      });
      await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
      harness = await startProxy({
        PROXY_HEALTH_URL: `http://127.0.0.1:${(health.address() as net.AddressInfo).port}`, PROXY_TRUSTED_PROXIES: '127.0.0.1',
        PROXY_EDGE_RATE: '1', PROXY_EDGE_BURST: '2', PROXY_HEALTH_CACHE_MS: '1000',
      });
    });
    after(async () => {
      await harness?.close();
      await new Promise<void>((resolve) => health.close(() => resolve()));
    });

    it('rate-limits /health, /status and /metrics per client', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(harness.port, { path: '/health', headers: { 'x-forwarded-for': '198.51.100.1' } })).status);
      expect(statuses).to.deep.equal([200, 200, 429]);
      const limited = await request(harness.port, { path: '/status', headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(limited.status).to.equal(429);
      expect(limited.headers['content-type']).to.contain('application/problem+json');
    });

    it('asks pod-health once for a flood of /health from many clients', async () => {
      await wait(1100);
      fetches = 0;
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => request(harness.port, {
        path: '/health', headers: { 'x-forwarded-for': `198.51.100.${10 + i}` },
      })));
      expect(answers.map((answer) => answer.status)).to.deep.equal(answers.map(() => 200));
      expect(fetches, 'pod-health fetches for 50 concurrent /health').to.be.at.most(1);
    });
  });
});
