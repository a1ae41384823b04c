// `npm run bench`: login throughput and the service's event-loop delay during 20 concurrent logins,
// bcrypt in the worker pool vs bcryptjs on the main thread (baseline, same run); then token
// verifications per second. Each mode runs the real app in a child process over loopback.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { createLogger, startServer } from '@core-pod/http-service';
import { migrate, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createHashPool, createMainThreadHasher } from '../src/passwords/hash-pool';
import { openDatabase } from '../src/store/open-database';
import { createAccessTokens } from '../src/tokens/access-token';
import { generateSigningKeyPem, loadKeyRing, parseKeyRing } from '../src/tokens/signing-keys';

const CONCURRENCY = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const COST = Number(process.env.BENCH_BCRYPT_COST ?? 12);
const PASSWORD = 'correct horse battery staple';
type Mode = 'pool' | 'main-thread';

interface LoopReport { p50: number; p99: number; max: number }

/** Child side: the real app on a temp SQLite file, reporting its own event-loop delay. */
async function serve(mode: Mode): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-bench-'));
  const config = loadConfig({ POD_DATA_DIR: dataDir, AUTH_BCRYPT_COST: String(COST), AUTH_THROTTLE_IP_MAX_FAILURES: '100000' });
  const url = resolveDatabaseUrl(undefined, dataDir, 'auth.db');
  await migrate({ url, packageDir: path.resolve(__dirname, '..') });
  const db = openDatabase(url);
  const passwordHash = bcrypt.hashSync(PASSWORD, COST);
  for (let i = 0; i < CONCURRENCY; i++) await db.user.create({ data: { id: `u${i}`, email: `bench${i}@example.com`, passwordHash } });
  const hasher = mode === 'pool' ? createHashPool(config.bcrypt.poolSize) : createMainThreadHasher();
  const { app, warmUp } = createApp({ config, db, keys: loadKeyRing({ privateKeyFile: undefined, dataDir, production: false }), hasher, logger: createLogger('auth', { level: 'silent' }), internalToken: 'x'.repeat(40) });
  await warmUp();
  const running = await startServer(app, { host: '127.0.0.1', port: 0 });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', async (msg: string) => {
    if (msg === 'start') {
      histogram.reset();
      histogram.enable();
    } else if (msg === 'stop') {
      histogram.disable();
      const report: LoopReport = { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
      process.send?.(report);
      await running.close();
      await hasher.close();
      await db.$disconnect();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send?.({ url: running.url });
}

async function measure(mode: Mode) {
  const child = fork(__filename, ['--serve', mode], { execArgv: ['--import=tsx', '--conditions=source'] });
  const next = () => new Promise<any>((resolve) => child.once('message', resolve));
  const { url } = await next();
  child.send('start');
  const started = performance.now();
  let failures = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
    for (let r = 0; r < ROUNDS; r++) {
      const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `bench${i}@example.com`, password: PASSWORD }) });
      await res.arrayBuffer();
      if (res.status !== 200) failures += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const reply = next();
  child.send('stop');
  const loop: LoopReport = await reply;
  const logins = CONCURRENCY * ROUNDS;
  return { mode, logins, failures, seconds, perSecond: logins / seconds, ...loop };
}

function verificationsPerSecond(): { verify: number; sign: number } {
  const tokens = createAccessTokens({ keys: parseKeyRing(generateSigningKeyPem(), 'BENCH'), issuer: 'core-pod-auth', audience: 'core-pod', ttlSeconds: 600 });
  const subject = { userId: 'u1', sessionId: 's1', role: 'user' as const, email: 'a@example.com' };
  const rate = (fn: () => void) => {
    for (let i = 0; i < 200; i++) fn();
    let n = 0;
    const end = performance.now() + 1000;
    while (performance.now() < end) { fn(); n += 1; }
    return n;
  };
  const token = tokens.sign(subject).token;
  return { sign: rate(() => tokens.sign(subject)), verify: rate(() => tokens.verify(token)) };
}

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt >= 0) return serve(process.argv[serveAt + 1] as Mode);
  console.log(`auth-service bench: ${CONCURRENCY} concurrent logins × ${ROUNDS} rounds, bcrypt cost ${COST}, ${os.cpus().length} CPUs, Node ${process.version}\n`);
  const baseline = await measure('main-thread');
  const pool = await measure('pool');
  const fmt = (n: number, d = 1) => n.toFixed(d).padStart(9);
  console.log('| hashing       | logins | failed | seconds | logins/s | loop p50 ms | loop p99 ms | loop max ms |');
  console.log('|---------------|--------|--------|---------|----------|-------------|-------------|-------------|');
  for (const r of [baseline, pool]) {
    console.log(`| ${r.mode.padEnd(13)} | ${String(r.logins).padStart(6)} | ${String(r.failures).padStart(6)} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond)} | ${fmt(r.p50)}   | ${fmt(r.p99)}   | ${fmt(r.max)}   |`);
  }
  console.log(`\npool / main-thread: throughput ×${(pool.perSecond / baseline.perSecond).toFixed(2)}, loop p99 ×${(pool.p99 / baseline.p99).toFixed(3)} (goal: pool p99 ≤ 50 ms → ${pool.p99 <= 50 ? 'met' : 'NOT met'})`);
  const tokens = verificationsPerSecond();
  console.log(`\n| ES256 access tokens | ops/s |\n|---|---|\n| sign   | ${tokens.sign} |\n| verify | ${tokens.verify} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
