import { expect } from 'chai';
import * as http from 'node:http';
import { TokenBuckets } from '../src/token-buckets';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { request, startProxy, type Harness } from './support/harness';

describe('rate limits at the edge', () => {
  let upstream: EchoUpstream;
  let edge: Harness;

  before(async () => {
    upstream = await startEchoUpstream();
    // Trusting loopback lets the test speak for several client addresses through X-Forwarded-For.
    edge = await startProxy({ PROXY_AUTH_URL: upstream.url, PROXY_USERS_URL: upstream.url, PROXY_TRUSTED_PROXIES: '127.0.0.1' });
  });
  after(async () => {
    await edge.close();
    await upstream.close();
  });

  it('admits no more than burst + rate × time under a 5× overload (auth: 10 r/s, burst 20)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const statuses: number[] = [];
    const started = performance.now();
    const sent: Promise<void>[] = [];
    // 50 requests per second for 2 seconds, paced from the client.
    for (let i = 0; i < 100; i++) {
      const due = started + i * 20;
      while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, 2));
      sent.push(request(edge.port, { path: '/api/v1/auth/x', agent, headers: { 'x-forwarded-for': '198.51.100.1' } })
        .then((answer) => { statuses.push(answer.status); }));
    }
    await Promise.all(sent);
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    const admitted = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status !== 200 && status !== 429)).to.deep.equal([]);
    expect(admitted).to.be.at.most(Math.floor(20 + 10 * seconds) + 1);
    expect(admitted).to.be.at.least(Math.floor(20 + 10 * seconds * 0.8) - 2);
  });

  it('answers 429 problem+json with Retry-After and the IETF RateLimit headers', async () => {
    let answer = await request(edge.port, { path: '/api/v1/users/x', headers: { 'x-forwarded-for': '198.51.100.2' } });
    for (let i = 0; i < 40 && answer.status !== 429; i++) {
      answer = await request(edge.port, { path: '/api/v1/users/x', headers: { 'x-forwarded-for': '198.51.100.2' } });
    }
    expect(answer.status).to.equal(429);
    expect(answer.headers['content-type']).to.equal('application/problem+json');
    expect(answer.json()).to.include({ code: 'rate_limited' });
    expect(Number(answer.headers['retry-after'])).to.be.at.least(1);
    expect(answer.headers['ratelimit-policy']).to.equal('"users";q=30;w=2');
    expect(answer.headers.ratelimit).to.match(/^"users";r=0;t=\d+$/);
    const metrics = await request(edge.adminPort, { path: '/metrics' });
    expect(metrics.body).to.match(/pod_proxy_rate_limited_total\{route="users"\} [1-9]/);
  });

  it('keeps separate buckets per client IP and per route', async () => {
    // Drain one client's users bucket (however slowly this machine sends, refill cannot keep up forever).
    let limited = 0;
    for (let i = 0; i < 500 && limited !== 429; i++) {
      limited = (await request(edge.port, { path: '/api/v1/users/x', headers: { 'x-forwarded-for': '198.51.100.3' } })).status;
    }
    expect(limited).to.equal(429);
    const otherClient = await request(edge.port, { path: '/api/v1/users/x', headers: { 'x-forwarded-for': '198.51.100.4' } });
    expect(otherClient.status).to.equal(200);
    const otherRoute = await request(edge.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '198.51.100.3' } });
    expect(otherRoute.status).to.equal(200);
  });
});

describe('token buckets', () => {
  it('refills at the configured rate up to the burst', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 20, maxBuckets: 10, now: () => now });
    let admitted = 0;
    for (let i = 0; i < 25; i++) if (buckets.take('a').allowed) admitted++;
    expect(admitted).to.equal(20);
    now += 1000;
    admitted = 0;
    for (let i = 0; i < 25; i++) if (buckets.take('a').allowed) admitted++;
    expect(admitted).to.equal(10);
    expect(buckets.take('a').retryAfterSeconds).to.equal(1);
  });

  it('holds memory bounded with 100,000 distinct client IPs and evicts idle buckets', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 20, maxBuckets: 200_000, now: () => now });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) {
      buckets.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 1000 === 0) now += 1;
    }
    expect(buckets.size).to.equal(100_000);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(heapGrowth).to.be.lessThan(64 * 1024 * 1024);
    // After a full refill window every bucket is indistinguishable from a fresh one, so sweeping loses nothing.
    now += 2000;
    expect(buckets.sweep()).to.equal(100_000);
    expect(buckets.size).to.equal(0);
  });

  it('never holds more than maxBuckets, even when every bucket is active', () => {
    const now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 20, maxBuckets: 50_000, now: () => now });
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      buckets.take(`client-${i}`);
      largest = Math.max(largest, buckets.size);
    }
    expect(largest).to.equal(50_000);
    expect(buckets.size).to.be.within(49_000, 50_000);
  });
});
