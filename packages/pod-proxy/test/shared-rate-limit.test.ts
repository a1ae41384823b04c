import { expect } from 'chai';
import * as http from 'node:http';
import WebSocket from 'ws';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, request, startProxy, type Harness } from './support/harness';
import { startPodHealthDouble } from './support/pod-health-double';
import { startRedisServer, type RedisServer } from './support/redis-server';

// auth route defaults: 10 r/s per client IP, burst 20.
const rate = 10;
const burst = 20;

/** The most one token bucket can admit in `seconds` (+1 for a token refilling right at the edge). */
function oneBucketBound(seconds: number): number {
  return Math.floor(burst + rate * seconds) + 1;
}

interface SplitLoad {
  /** Per proxy: statuses of the answers it gave. */
  statuses: number[][];
  admitted: number;
  seconds: number;
}

/** Sends `count` requests for one client IP, `intervalMs` apart, round-robin over the proxies. */
async function splitLoad(edges: Harness[], clientIp: string, count: number, intervalMs: number): Promise<SplitLoad> {
  const agents = edges.map(() => new http.Agent({ keepAlive: true, maxSockets: 8 }));
  const statuses: number[][] = edges.map(() => []);
  const sent: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, 2));
    const which = i % edges.length;
    sent.push(request(edges[which]!.port, { path: '/api/v1/auth/x', agent: agents[which]!, headers: { 'x-forwarded-for': clientIp } })
      .then((answer) => { statuses[which]!.push(answer.status); }));
  }
  await Promise.all(sent);
  const seconds = (performance.now() - started) / 1000;
  for (const agent of agents) agent.destroy();
  const unexpected = statuses.flat().filter((status) => status !== 200 && status !== 429);
  expect(unexpected, 'every answer is 200 or 429').to.deep.equal([]);
  return { statuses, admitted: statuses.flat().filter((status) => status === 200).length, seconds };
}

async function redisUpGauge(edge: Harness): Promise<number | null> {
  const metrics = await request(edge.adminPort, { path: '/metrics' });
  const match = /^pod_proxy_ratelimit_redis_up (\d+)$/m.exec(metrics.body);
  return match ? Number(match[1]) : null;
}

async function healthOf(edge: Harness) {
  const answer = await request(edge.port, { path: '/health' });
  const body = answer.json<{ status: string; checks: Record<string, { status: string; output: string }[]> }>();
  return { httpStatus: answer.status, status: body.status, redis: body.checks['redis:connection']?.[0] };
}

describe('rate limits shared through Redis by several proxies', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let upstream: EchoUpstream;
  let podHealth: Awaited<ReturnType<typeof startPodHealthDouble>>;
  let edges: Harness[];

  before(async () => {
    redis = await startRedisServer();
    upstream = await startEchoUpstream();
    podHealth = await startPodHealthDouble();
    const env = {
      PROXY_AUTH_URL: upstream.url, PROXY_USERS_URL: upstream.url, PROXY_HEALTH_URL: podHealth.url,
      // Trusting loopback lets the test speak for a fresh client address in every phase.
      PROXY_TRUSTED_PROXIES: '127.0.0.1', PROXY_REDIS_URL: redis.url,
    };
    edges = [await startProxy(env), await startProxy(env)];
    for (const edge of edges) await eventually(async () => (await redisUpGauge(edge)) === 1, 'the proxy to reach Redis');
  });
  after(async () => {
    for (const edge of edges ?? []) await edge.close();
    await upstream?.close();
    await podHealth?.close();
    await redis?.kill();
  });

  it('admits no more than ONE bucket allows (burst + rate × time) with the load split across two proxies', async () => {
    // 50 requests per second for 2 seconds, alternating between the proxies: a 5× overload.
    const load = await splitLoad(edges, '203.0.113.1', 100, 20);
    expect(load.admitted).to.be.at.most(oneBucketBound(load.seconds));
    expect(load.admitted).to.be.at.least(Math.floor(burst + rate * load.seconds * 0.8) - 2);
    // Both proxies really served part of the load.
    for (const statuses of load.statuses) expect(statuses.filter((status) => status === 200).length).to.be.greaterThan(5);
  });

  it('refuses a flood from the local bucket without asking Redis for every request', async () => {
    const before = await evalCalls(redis);
    const answers: number[] = [];
    for (let i = 0; i < 80; i++) {
      answers.push((await request(edges[0]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.9' } })).status);
    }
    const admitted = answers.filter((status) => status === 200).length;
    const calls = (await evalCalls(redis)) - before;
    expect(answers.filter((status) => status === 429).length).to.be.greaterThan(40);
    // Redis is asked once per request the local bucket admits, not once per request received.
    expect(calls).to.equal(admitted);
  });

  it('keeps one bucket per route and client IP in Redis, expiring once it would have refilled (burst / rate + 1 s)', async () => {
    await request(edges[0]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.8' } });
    await request(edges[1]!.port, { path: '/api/v1/users/x', headers: { 'x-forwarded-for': '203.0.113.8' } });
    const authTtl = Number(/^:(-?\d+)/.exec(await redis.command('PTTL core-pod:ratelimit:auth:203.0.113.8'))![1]);
    const usersTtl = Number(/^:(-?\d+)/.exec(await redis.command('PTTL core-pod:ratelimit:users:203.0.113.8'))![1]);
    // auth: 20 / 10 r/s = 2 s, users: 30 / 15 r/s = 2 s; plus 1 s of clock slack.
    expect(authTtl).to.be.within(1, 3000);
    expect(usersTtl).to.be.within(1, 3000);
    expect(await redis.command('HGET core-pod:ratelimit:auth:203.0.113.8 t')).to.match(/^\$\d+\r\n19(\.\d+)?\r\n$/);
  });

  it('reports Redis as up in /health (a pass check) and in pod_proxy_ratelimit_redis_up', async () => {
    const health = await healthOf(edges[0]!);
    expect(health).to.include({ httpStatus: 200, status: 'pass' });
    expect(health.redis).to.include({ status: 'pass' });
    expect(await redisUpGauge(edges[1]!)).to.equal(1);
  });

  it('keeps serving with local limits when Redis dies, says so in /health and the metric, and shares again when it is back', async () => {
    await redis.kill();

    // Still serving, straight away.
    expect((await request(edges[0]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.2' } })).status).to.equal(200);
    for (const edge of edges) {
      const health = (await eventually(async () => {
        const current = await healthOf(edge);
        return current.status === 'warn' ? current : null;
      }, '/health to turn warn'))!;
      expect(health.httpStatus).to.equal(200);
      expect(health.redis).to.include({ status: 'warn' });
      expect(health.redis!.output).to.match(/each proxy limits with its own buckets/);
      expect(await redisUpGauge(edge)).to.equal(0);
    }

    // Local limits, not unlimited: each proxy admits at most one bucket, so the pair at most two.
    const degraded = await splitLoad(edges, '203.0.113.3', 100, 20);
    for (const statuses of degraded.statuses) {
      expect(statuses.filter((status) => status === 200).length).to.be.at.most(oneBucketBound(degraded.seconds));
      expect(statuses.filter((status) => status === 429).length).to.be.greaterThan(0);
    }
    expect(degraded.admitted).to.be.at.most(2 * oneBucketBound(degraded.seconds));
    const metrics = await request(edges[0]!.adminPort, { path: '/metrics' });
    expect(metrics.body).to.match(/pod_proxy_ratelimit_local_decisions_total\{route="auth"\} [1-9]/);

    await redis.start();
    for (const edge of edges) {
      await eventually(async () => (await healthOf(edge)).status === 'pass', '/health to pass again', 10_000);
      expect(await redisUpGauge(edge)).to.equal(1);
    }
    const shared = await splitLoad(edges, '203.0.113.4', 100, 20);
    expect(shared.admitted).to.be.at.most(oneBucketBound(shared.seconds));
    // One warning per outage however many reconnects failed, one notice when sharing resumed.
    const messages = edges[0]!.logLines.map((line) => line.msg);
    expect(messages.filter((msg) => msg === 'Redis unreachable: rate limits are per proxy until it is back')).to.have.length(1);
    expect(messages.filter((msg) => msg === 'rate limits shared through Redis')).to.have.length(2);
  });

  it('decides locally when Redis hangs (accepts, never answers) and shares again once it answers', async () => {
    redis.pause();
    try {
      // The first request waits PROXY_REDIS_TIMEOUT_MS at most, then the local bucket admits it.
      expect((await request(edges[0]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.6' } })).status).to.equal(200);
      await eventually(async () => (await healthOf(edges[0]!)).status === 'warn', '/health to turn warn while Redis hangs');
      expect(await redisUpGauge(edges[0]!)).to.equal(0);
      expect((await request(edges[0]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.6' } })).status).to.equal(200);
    } finally {
      redis.resume();
    }
    await eventually(async () => (await healthOf(edges[0]!)).status === 'pass', '/health to pass once Redis answers', 10_000);
    expect(await redisUpGauge(edges[0]!)).to.equal(1);
  });

  it('decides locally while Redis answers with errors (out of memory) and shares again once it accepts writes', async () => {
    expect(await redis.command('CONFIG SET maxmemory-policy noeviction')).to.match(/^\+OK/);
    expect(await redis.command('CONFIG SET maxmemory 1')).to.match(/^\+OK/);
    try {
      expect((await request(edges[1]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.10' } })).status).to.equal(200);
      const health = await healthOf(edges[1]!);
      expect(health.status).to.equal('warn');
      expect(health.redis!.output).to.match(/OOM/);
    } finally {
      await redis.command('CONFIG SET maxmemory 0');
    }
    await eventually(async () => {
      await request(edges[1]!.port, { path: '/api/v1/auth/x', headers: { 'x-forwarded-for': '203.0.113.10' } });
      return (await healthOf(edges[1]!)).status === 'pass';
    }, '/health to pass once Redis accepts writes again', 10_000);
  });

  it('passes websocket upgrades through the shared limit', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${edges[1]!.port}/api/v1/auth/socket`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send('hello'));
        ws.once('message', (data) => resolve(data.toString()));
        ws.once('error', reject);
      });
      expect(reply).to.equal('echo:hello');
    } finally {
      ws.terminate();
    }
  });
});

describe('rate limits without Redis (the default)', () => {
  it('are per proxy: two proxies together admit about twice what one bucket allows', async () => {
    const upstream = await startEchoUpstream();
    const env = { PROXY_AUTH_URL: upstream.url, PROXY_USERS_URL: upstream.url, PROXY_TRUSTED_PROXIES: '127.0.0.1' };
    const edges = [await startProxy(env), await startProxy(env)];
    try {
      const load = await splitLoad(edges, '203.0.113.5', 100, 20);
      expect(load.admitted).to.be.greaterThan(oneBucketBound(load.seconds));
      const metrics = await request(edges[0]!.adminPort, { path: '/metrics' });
      expect(metrics.body).not.to.include('pod_proxy_ratelimit_redis_up');
    } finally {
      for (const edge of edges) await edge.close();
      await upstream.close();
    }
  });
});

/** How many times Redis ran a script (EVALSHA, and EVAL after a NOSCRIPT). */
async function evalCalls(redis: RedisServer): Promise<number> {
  const info = await redis.command('INFO commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}
