import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { request, startProxy, unusedPort, type Harness } from './support/harness';
import { startPodHealthDouble } from './support/pod-health-double';

describe('edge endpoints', () => {
  describe('with pod-health answering', () => {
    let podHealth: Awaited<ReturnType<typeof startPodHealthDouble>>;
    let edge: Harness;
    before(async () => {
      podHealth = await startPodHealthDouble();
      edge = await startProxy({ PROXY_HEALTH_URL: podHealth.url, PROXY_METRICS_TOKEN: 'scrape-secret', PROXY_METRICS_ALLOW: '192.0.2.10' });
    });
    after(async () => {
      await edge.close();
      await podHealth.close();
    });

    it('relays /health and /status from pod-health', async () => {
      const health = await request(edge.port, { path: '/health' });
      expect(health.status).to.equal(200);
      expect(health.headers['content-type']).to.equal('application/health+json');
      expect(health.json()).to.include({ from: 'pod-health' });
      const status = await request(edge.port, { path: '/status' });
      expect(status.json<unknown[]>()[0]).to.include({ name: 'auth', pid: 42, restarts: 1 });
    });

    it('serves /metrics to a scraper with the bearer token, and refuses everyone else', async () => {
      const refused = await request(edge.port, { path: '/metrics' });
      expect(refused.status).to.equal(403);
      expect(refused.json()).to.include({ code: 'forbidden' });
      const wrong = await request(edge.port, { path: '/metrics', headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).to.equal(403);
      const allowed = await request(edge.port, { path: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
      expect(allowed.status).to.equal(200);
      expect(allowed.body).to.include('pod_service_up{service="auth"} 1');
    });

    it('answers only GET and HEAD on its own endpoints', async () => {
      const answer = await request(edge.port, { path: '/health', method: 'POST' });
      expect(answer.status).to.equal(405);
    });
  });

  describe('without pod-health', () => {
    let auth: EchoUpstream;
    let edge: Harness;
    before(async () => {
      auth = await startEchoUpstream();
      edge = await startProxy({ PROXY_AUTH_URL: auth.url, PROXY_USERS_URL: `http://127.0.0.1:${await unusedPort()}` });
    });
    after(async () => {
      await edge.close();
      await auth.close();
    });

    it('falls back to its own probe of the upstreams for /health (503 when one is down)', async () => {
      const health = await request(edge.port, { path: '/health' });
      expect(health.status).to.equal(503);
      expect(health.headers['content-type']).to.equal('application/health+json');
      const body = health.json<{ status: string; checks: Record<string, { status: string }[]> }>();
      expect(body.status).to.equal('fail');
      expect(body.checks['auth:responseTime']![0]!.status).to.equal('pass');
      expect(body.checks['users:responseTime']![0]!.status).to.equal('fail');
    });

    it('falls back to its own view for /status', async () => {
      const status = await request(edge.port, { path: '/status' });
      expect(status.status).to.equal(200);
      const services = status.json<{ name: string; state: string }[]>();
      expect(services.map((service) => [service.name, service.state])).to.deep.equal([
        ['auth', 'RUNNING'], ['users', 'UNREACHABLE'], ['proxy', 'RUNNING']]);
    });

    it('answers /livez on the public listener with 200 pass without asking pod-health or the upstreams', async () => {
      const seenBefore = auth.seen.length;
      const livez = await request(edge.port, { path: '/livez' });
      expect(livez.status).to.equal(200);
      expect(livez.headers['content-type']).to.equal('application/health+json');
      expect(livez.json()).to.deep.equal({ status: 'pass' });
      expect(auth.seen.length).to.equal(seenBefore);
      expect((await request(edge.port, { path: '/livez', method: 'POST' })).status).to.equal(405);
    });

    it('never serves /metrics by default', async () => {
      const answer = await request(edge.port, { path: '/metrics' });
      expect(answer.status).to.equal(403);
    });

    it('exposes its own registry and /livez on the admin listener', async () => {
      await request(edge.port, { path: '/api/v1/auth/x' });
      const metrics = await request(edge.adminPort, { path: '/metrics' });
      expect(metrics.body).to.match(/http_requests_total\{route="auth",method="GET",status_code="200"\} \d/);
      expect(metrics.body).to.include('http_request_duration_seconds_bucket');
      expect((await request(edge.adminPort, { path: '/livez' })).status).to.equal(200);
    });
  });

  it('serves its own registry on /metrics to an allowed address when pod-health is absent', async () => {
    const edge = await startProxy({ PROXY_METRICS_ALLOW: '127.0.0.1' });
    try {
      const answer = await request(edge.port, { path: '/metrics' });
      expect(answer.status).to.equal(200);
      expect(answer.body).to.include('# TYPE http_requests_total counter');
    } finally {
      await edge.close();
    }
  });

  it('reads the scrapers\' bearer token from PROXY_METRICS_TOKEN_FILE (Docker/Kubernetes secrets)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pod-proxy-token-'));
    const tokenFile = path.join(dir, 'metrics_token');
    writeFileSync(tokenFile, 'file-secret\n', { mode: 0o600 });
    const podHealth = await startPodHealthDouble();
    const edge = await startProxy({ PROXY_HEALTH_URL: podHealth.url, PROXY_METRICS_TOKEN_FILE: tokenFile });
    try {
      const allowed = await request(edge.port, { path: '/metrics', headers: { authorization: 'Bearer file-secret' } });
      expect(allowed.status).to.equal(200);
      expect(allowed.body).to.include('pod_service_up');
      expect((await request(edge.port, { path: '/metrics', headers: { authorization: 'Bearer other' } })).status).to.equal(403);
    } finally {
      await edge.close();
      await podHealth.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back within the timeout when pod-health accepts but does not answer', async () => {
    const hanging = await startPodHealthDouble({ hang: true });
    const auth = await startEchoUpstream();
    const edge = await startProxy({ PROXY_HEALTH_URL: hanging.url, PROXY_HEALTH_TIMEOUT_MS: '200', PROXY_AUTH_URL: auth.url, PROXY_USERS_URL: auth.url });
    try {
      const started = Date.now();
      const health = await request(edge.port, { path: '/health' });
      expect(health.status).to.equal(200);
      expect(health.json()).to.include({ status: 'pass' });
      expect(Date.now() - started).to.be.lessThan(2000);
    } finally {
      await edge.close();
      await auth.close();
      await hanging.close();
    }
  });
});
