import { expect } from 'chai';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { rawExchange, request, startProxy, type Harness } from './support/harness';

describe('routing and path normalisation', () => {
  let auth: EchoUpstream;
  let users: EchoUpstream;
  let edge: Harness;

  before(async () => {
    auth = await startEchoUpstream();
    users = await startEchoUpstream();
    edge = await startProxy({ PROXY_AUTH_URL: auth.url, PROXY_USERS_URL: users.url });
  });
  after(async () => {
    await edge.close();
    await auth.close();
    await users.close();
  });

  async function lastSeen(upstream: EchoUpstream, path: string) {
    const before = upstream.seen.length;
    const answer = await request(edge.port, { path });
    expect(answer.status, answer.body).to.equal(200);
    expect(upstream.seen.length).to.equal(before + 1);
    return upstream.seen[upstream.seen.length - 1]!;
  }

  it('sends /api/v1/auth/* to auth and /api/v1/users/* to users, keeping path and query', async () => {
    expect((await lastSeen(auth, '/api/v1/auth/login?next=%2Fhome')).url).to.equal('/api/v1/auth/login?next=%2Fhome');
    expect((await lastSeen(users, '/api/v1/users/me')).url).to.equal('/api/v1/users/me');
  });

  it('answers unknown paths with a 404 problem document', async () => {
    for (const path of ['/', '/api/v1', '/api/v1/authx', '/internal/v1/sessions', '/metricsx']) {
      const answer = await request(edge.port, { path });
      expect(answer.status, path).to.equal(404);
      expect(answer.headers['content-type']).to.equal('application/problem+json');
      expect(answer.json()).to.include({ code: 'not_found', status: 404 });
    }
  });

  it('resolves ".." before routing, so the upstream gets the path that was matched', async () => {
    const seen = await lastSeen(auth, '/api/v1/users/../auth/login');
    expect(seen.url).to.equal('/api/v1/auth/login');
  });

  it('decodes encoded dots and collapses duplicate slashes before routing', async () => {
    expect((await lastSeen(auth, '/api/v1/users/%2e%2E/auth/x')).url).to.equal('/api/v1/auth/x');
    expect((await lastSeen(users, '//api///v1//users/./me')).url).to.equal('/api/v1/users/me');
  });

  it('never reaches internal endpoints through dot segments', async () => {
    for (const path of ['/api/v1/auth/../../../internal/v1/tokens', '/api/v1/users/%2e%2e/%2e%2e/%2e%2e/internal/v1/x']) {
      const answer = await request(edge.port, { path });
      expect(answer.status, path).to.equal(404);
    }
    for (const upstream of [auth, users]) {
      expect(upstream.seen.some((seen) => seen.url.includes('internal'))).to.equal(false);
    }
  });

  it('refuses encoded slashes, backslashes and paths climbing above the root with 400', async () => {
    for (const path of ['/api/v1/users%2F..%2Fauth/x', '/api/v1/auth/..%5c..%5cinternal', '/api/v1/auth\\..\\x',
      '/../api/v1/auth/x', '/api/v1/auth/%zz', '/api/v1/auth/a%00b']) {
      const answer = await request(edge.port, { path });
      expect(answer.status, path).to.equal(400);
      expect(answer.json()).to.include({ code: 'invalid_path' });
    }
  });

  it('refuses methods the pod does not serve with 405 and an Allow header', async () => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const answer = await request(edge.port, { method, path: '/api/v1/auth/x' });
      expect(answer.status, method).to.equal(405);
      expect(answer.headers.allow).to.include('GET');
    }
    // Node's client treats CONNECT specially, so this one goes over a raw socket.
    const raw = await rawExchange(edge.port, 'CONNECT 127.0.0.1:3001 HTTP/1.1\r\nHost: 127.0.0.1:3001\r\n\r\n');
    expect(raw).to.match(/^HTTP\/1\.1 405 /);
    expect(raw).to.include('"code":"method_not_allowed"');
  });

  it('keeps a valid X-Request-Id, sends it upstream and echoes it', async () => {
    const answer = await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-request-id': 'abc.123:x-y' } });
    expect(answer.headers['x-request-id']).to.equal('abc.123:x-y');
    expect(users.seen.at(-1)!.headers['x-request-id']).to.equal('abc.123:x-y');
  });

  it('replaces an invalid X-Request-Id with a generated one', async () => {
    const answer = await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-request-id': 'bad id<script>' } });
    expect(answer.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    expect(users.seen.at(-1)!.headers['x-request-id']).to.equal(answer.headers['x-request-id']);
  });

  it('sets X-Forwarded-For/-Proto/-Host and X-Real-IP from the socket, ignoring client-supplied values', async () => {
    await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', host: 'pod.example' } });
    const headers = users.seen.at(-1)!.headers;
    expect(headers['x-forwarded-for']).to.equal('127.0.0.1');
    expect(headers['x-real-ip']).to.equal('127.0.0.1');
    expect(headers['x-forwarded-proto']).to.equal('http');
    expect(headers['x-forwarded-host']).to.equal('pod.example');
  });

  it('strips hop-by-hop headers both ways, including ones named in Connection', async () => {
    const answer = await request(edge.port, {
      path: '/api/v1/users/me',
      headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-end': 'kept' },
    });
    const headers = users.seen.at(-1)!.headers;
    expect(headers).to.not.have.property('x-hop');
    expect(headers).to.not.have.property('te');
    expect(headers).to.not.have.property('proxy-authorization');
    expect(headers['x-end']).to.equal('kept');
    // The echo upstream sends "Keep-Alive: timeout=5"; that is its connection's business, not the client's.
    expect(answer.headers).to.not.have.property('keep-alive');
    expect(answer.headers['x-upstream']).to.equal('echo');
  });

  it('reuses a keep-alive connection pool to the upstream', async () => {
    const before = users.acceptedConnections();
    for (let i = 0; i < 20; i++) expect((await request(edge.port, { path: '/api/v1/users/pooled' })).status).to.equal(200);
    expect(users.acceptedConnections() - before).to.be.at.most(1);
  });

  it('writes one JSON access-log line per request with the fields operators need', async () => {
    const answer = await request(edge.port, { path: '/api/v1/auth/whoami', headers: { 'x-request-id': 'log-line-1' } });
    expect(answer.status).to.equal(200);
    const line = edge.logLines.find((entry) => entry.requestId === 'log-line-1');
    expect(line).to.include({ msg: 'request', method: 'GET', path: '/api/v1/auth/whoami', status: 200, upstream: 'auth', clientIp: '127.0.0.1', rateLimit: 'allowed' });
    expect(line!.durationMs).to.be.a('number');
    expect(line!.bytes).to.be.greaterThan(0);
    expect(JSON.stringify(edge.logLines)).to.not.match(/authorization|cookie/i);
  });
});

describe('client IP behind a trusted proxy', () => {
  let users: EchoUpstream;
  let edge: Harness;

  before(async () => {
    users = await startEchoUpstream();
    edge = await startProxy({ PROXY_USERS_URL: users.url, PROXY_TRUSTED_PROXIES: '127.0.0.1' });
  });
  after(async () => {
    await edge.close();
    await users.close();
  });

  it('takes the client from X-Forwarded-For when the socket is a trusted proxy', async () => {
    await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.9', 'x-request-id': 'xff-1' } });
    expect(users.seen.at(-1)!.headers['x-forwarded-for']).to.equal('1.2.3.4, 203.0.113.9, 127.0.0.1');
    expect(users.seen.at(-1)!.headers['x-real-ip']).to.equal('203.0.113.9');
    expect(edge.logLines.find((entry) => entry.requestId === 'xff-1')).to.include({ clientIp: '203.0.113.9' });
  });
});
