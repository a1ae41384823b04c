import { expect } from 'chai';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, request, startProxy, unusedPort, type Harness } from './support/harness';

describe('upstream failures', () => {
  it('answers 503 problem+json with Retry-After when the upstream refuses connections', async () => {
    const edge = await startProxy({ PROXY_AUTH_URL: `http://127.0.0.1:${await unusedPort()}`, PROXY_RETRY_AFTER_S: '3' });
    try {
      const answer = await request(edge.port, { path: '/api/v1/auth/login' });
      expect(answer.status).to.equal(503);
      expect(answer.headers['content-type']).to.equal('application/problem+json');
      expect(answer.headers['retry-after']).to.equal('3');
      expect(answer.json()).to.include({ code: 'upstream_unavailable', status: 503 });
      const metrics = await request(edge.adminPort, { path: '/metrics' });
      expect(metrics.body).to.match(/pod_proxy_upstream_errors_total\{route="auth",reason="econnrefused"\} 1/);
    } finally {
      await edge.close();
    }
  });

  it('answers 504 after the configured timeout when the upstream is too slow, and cancels the upstream request', async () => {
    const slow = await startEchoUpstream();
    const edge = await startProxy({ PROXY_USERS_URL: slow.url, PROXY_UPSTREAM_TIMEOUT_MS: '300' });
    try {
      const started = Date.now();
      const answer = await request(edge.port, { path: '/api/v1/users/stall' });
      expect(answer.status).to.equal(504);
      expect(answer.json()).to.include({ code: 'upstream_timeout' });
      expect(Date.now() - started).to.be.within(250, 5000);
      await eventually(() => slow.abortedCount() === 1, 'the upstream to see the request cancelled');
    } finally {
      await edge.close();
      await slow.close();
    }
  });

  it('answers 503 while an upstream is not yet up at boot, then proxies once it listens', async () => {
    const port = await unusedPort();
    const edge = await startProxy({ PROXY_USERS_URL: `http://127.0.0.1:${port}` });
    let late: EchoUpstream | null = null;
    try {
      expect((await request(edge.port, { path: '/api/v1/users/me' })).status).to.equal(503);
      late = await startEchoUpstream(port);
      await eventually(async () => (await request(edge.port, { path: '/api/v1/users/me' })).status === 200,
        'the late upstream to be served');
    } finally {
      await edge.close();
      await late?.close();
    }
  });

  it('retires pooled upstream sockets before the upstream\'s announced keep-alive timeout', async () => {
    const short = await startEchoUpstream();
    short.server.keepAliveTimeout = 2000;
    short.server.removeAllListeners('request');
    short.server.on('request', (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'keep-alive': 'timeout=2', 'content-length': 2 }).end('ok');
    });
    const edge = await startProxy({ PROXY_USERS_URL: short.url, PROXY_UPSTREAM_KEEPALIVE_MS: '4000' });
    try {
      const answer = await request(edge.port, { path: '/api/v1/users/me' });
      expect(answer.status).to.equal(200);
      expect(answer.headers).to.not.have.property('keep-alive');
      const agent = edge.proxy.routes.find((route) => route.name === 'users')!.upstream.agent;
      const pooled = await eventually(() => Object.values(agent.freeSockets).flat()[0], 'the socket to return to the pool');
      // Node keeps a 1 s margin below the announced 2 s, instead of our 4 s idle window.
      expect(pooled!.timeout).to.equal(1000);
    } finally {
      await edge.close();
      await short.close();
    }
  });

  it('answers 502 when the upstream breaks the connection mid-request', async () => {
    const rude = await startEchoUpstream();
    rude.server.removeAllListeners('request');
    rude.server.on('request', (req) => req.socket.destroy());
    const edge = await startProxy({ PROXY_USERS_URL: rude.url });
    try {
      const answer = await request(edge.port, { path: '/api/v1/users/me' });
      expect(answer.status).to.equal(502);
      expect(answer.json()).to.include({ code: 'bad_gateway' });
    } finally {
      await edge.close();
      await rude.close();
    }
  });
});
