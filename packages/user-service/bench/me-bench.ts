// npm run bench: GET /me throughput and latency (JWT verification + revocation check + database
// read) against a baseline route without auth (health: one database round trip) in the same run,
// and the cost of one loopback hop to auth (p50/p99). Real auth process, real SQLite, loopback only.
import http from 'node:http';
import os from 'node:os';
import express from 'express';
import { startServer } from '@core-pod/http-service';
import { resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { createAuthClient } from '../src/auth/auth-client';
import { loadConfig } from '../src/config';
import { createProfileStore } from '../src/profiles/profile-store';
import { ownerView } from '../src/profiles/profile-views';
import { openDatabase } from '../src/store/open-database';
import { startPod } from '../test/support/pod';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const HOP_SAMPLES = Number(process.env.BENCH_HOP_SAMPLES ?? 3000);
// The routes take turns in short rounds, so drifting background load hits both alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface LoadResult {
  requests: number;
  seconds: number;
  latencies: number[];
  errors: number;
}

async function load(url: string, headers: Record<string, string>, durationMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      http
        .get({ agent, host: target.hostname, port: target.port, path: target.pathname, headers }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors += 1;
            latencies.push(performance.now() - started);
            resolve();
          });
        })
        .on('error', () => {
          errors += 1;
          resolve();
        });
    });
  const worker = async () => {
    while (performance.now() < deadline) await one();
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: latencies.length, seconds, latencies, errors };
}

function summarise(results: LoadResult[]): { rps: number; p50: number; p99: number; errors: number } {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: results.reduce((sum, r) => sum + r.errors, 0) };
}

async function hop(call: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await call(); // warm the keep-alive socket and both JITs
  const samples: number[] = [];
  for (let i = 0; i < HOP_SAMPLES; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const pod = await startPod();
  try {
    const alice = await pod.register('bench@example.com');
    const auth = createAuthClient({ baseUrl: pod.auth.url, internalToken: pod.internalToken, timeoutMs: 2000 });
    const bearer = { authorization: `Bearer ${alice.token}` };

    // Baseline 2: the same profile read and JSON as GET /me, on the same database file, with no
    // authentication at all — the difference to GET /me is what token checking costs.
    const db = openDatabase(resolveDatabaseUrl(undefined, loadConfig({ POD_DATA_DIR: pod.usersDataDir }).dataDir, 'users.db'));
    const store = createProfileStore(db);
    const plain = express();
    plain.get('/profile/:id', async (req, res) => {
      res.json(ownerView((await store.find(req.params.id))!));
    });
    const plainServer = await startServer(plain, { host: '127.0.0.1', port: 0 });

    const routes = {
      health: { url: `${pod.users.url}/api/v1/users/health`, headers: {} },
      read: { url: `${plainServer.url}/profile/${alice.id}`, headers: {} },
      me: { url: `${pod.users.url}/api/v1/users/me`, headers: bearer },
    };
    const runs = { health: [] as LoadResult[], read: [] as LoadResult[], me: [] as LoadResult[] };
    for (const route of Object.values(routes)) await load(route.url, route.headers, 1000); // warm-up, discarded
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, route] of Object.entries(routes)) runs[name as keyof typeof runs].push(await load(route.url, route.headers, DURATION_MS / ROUNDS));
    }
    await plainServer.close();
    await db.$disconnect();
    const health = summarise(runs.health);
    const baseline = summarise(runs.read);
    const me = summarise(runs.me);
    const jwksHop = await hop(() => auth.jwks());
    const userHop = await hop(() => auth.getUser(alice.id));
    auth.close();

    const f = (n: number, digits = 2) => n.toFixed(digits);
    console.log(`\nuser-service bench — ${CONCURRENCY} concurrent keep-alive clients, ${DURATION_MS} ms per route in ${ROUNDS} alternating rounds, Node ${process.version}, loopback, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    console.log('| route | requests/s | p50 ms | p99 ms | non-200 | vs baseline |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(`| baseline: same profile read + JSON, no auth | ${f(baseline.rps, 0)} | ${f(baseline.p50)} | ${f(baseline.p99)} | ${baseline.errors} | 1.00 |`);
    console.log(`| GET /health (no auth, SELECT 1) | ${f(health.rps, 0)} | ${f(health.p50)} | ${f(health.p99)} | ${health.errors} | ${f(health.rps / baseline.rps)} |`);
    console.log(`| GET /me (ES256 verify + revocation check + DB read) | ${f(me.rps, 0)} | ${f(me.p50)} | ${f(me.p99)} | ${me.errors} | ${f(me.rps / baseline.rps)} |`);
    console.log(`\nloopback hop to auth, ${HOP_SAMPLES} sequential calls on a warm keep-alive socket`);
    console.log('| call | p50 ms | p99 ms |');
    console.log('|---|---:|---:|');
    console.log(`| GET jwks.json (no DB on auth's side: the hop itself) | ${f(jwksHop.p50, 3)} | ${f(jwksHop.p99, 3)} |`);
    console.log(`| GET /internal/v1/users/:id (hop + auth's DB read) | ${f(userHop.p50, 3)} | ${f(userHop.p99, 3)} |`);
    console.log('\nGET /me itself makes no call to auth: keys and revocations are cached locally.');
  } finally {
    await pod.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
