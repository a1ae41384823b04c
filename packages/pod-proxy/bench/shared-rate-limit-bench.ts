// npm run bench:redis: what sharing the rate limits through Redis costs per request. pod-proxy
// (dist/main.js) with per-proxy buckets (the baseline), with Redis shared, and with Redis configured but
// down (local fallback); admitted traffic (limit lifted) and a flood over the limit (mostly 429s, which
// the local bucket answers without Redis). Same backend, alternating rounds, wrk on loopback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, need, toMs, waitForPort } from './local-services';
import { cpuSeconds } from './process-cpu';

const durationS = Number(process.env.BENCH_DURATION_S ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const packageDir = join(__dirname, '..');

interface Row { name: string; port: number; pid: number; withRedis: boolean }
interface Sample { rps: number; p99ms: number; proxyUs: number; redisUs: number; ok: number; limited: number }

function measure(row: Row, path: string, redisPid: number): Sample {
  execFileSync('wrk', ['-t1', `-c${connections}`, '-d1s', `http://127.0.0.1:${row.port}${path}`]);
  const proxyBefore = cpuSeconds([row.pid]);
  const redisBefore = cpuSeconds([redisPid]);
  const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency',
    `http://127.0.0.1:${row.port}${path}`], { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p99ms: toMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    proxyUs: ((cpuSeconds([row.pid]) - proxyBefore) / requests) * 1e6,
    redisUs: row.withRedis ? ((cpuSeconds([redisPid]) - redisBefore) / requests) * 1e6 : 0,
    ok: requests - non2xx,
    limited: non2xx,
  };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function main(): Promise<void> {
  need('wrk', 'wrk');
  need('redis-server', 'redis-server');
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'pod-proxy-redis-bench-'));
  const children: ChildProcess[] = [];
  try {
    const backend = spawn(process.execPath, ['--import=tsx', join(__dirname, 'backend.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(backend);
    const backendPort = await new Promise<number>((resolve) => {
      backend.stdout!.on('data', (chunk: Buffer) => {
        const match = /listening (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
    });
    const redisPort = await freePort();
    const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(redis);
    await waitForPort(redisPort);
    const deadPort = await freePort();

    const rows: Row[] = [];
    for (const [name, redisUrl] of [['per proxy (no Redis): baseline', null], ['shared through Redis', `redis://127.0.0.1:${redisPort}`],
      ['Redis configured but down (local fallback)', `redis://127.0.0.1:${deadPort}`]] as const) {
      const port = await freePort();
      const backendUrl = `http://127.0.0.1:${backendPort}`;
      const proxy = spawn(process.execPath, [join(packageDir, 'dist/main.js')], {
        env: {
          ...process.env, PROXY_HOST: '127.0.0.1', PROXY_PORT: String(port), PROXY_ADMIN_PORT: String(await freePort()),
          PROXY_USERS_URL: backendUrl, PROXY_AUTH_URL: backendUrl, PROXY_HEALTH_URL: backendUrl,
          // users: limit lifted (every request admitted, so every one asks Redis); auth: default 10 r/s.
          PROXY_USERS_RATE: '1000000000', PROXY_USERS_BURST: '1000000000', PROXY_CLIENT_MAX_IN_FLIGHT: '100000',
          ...(redisUrl === null ? {} : { PROXY_REDIS_URL: redisUrl }),
        },
        stdio: ['ignore', openSync(join(dir, `${port}.log`), 'a'), 'inherit'],
      });
      children.push(proxy);
      await waitForPort(port);
      rows.push({ name, port, pid: proxy.pid!, withRedis: redisUrl !== null });
    }

    const loads = [['admitted (limit lifted)', '/api/v1/users/bench'], ['flood over the limit (auth 10 r/s)', '/api/v1/auth/bench']] as const;
    const samples = loads.map(() => rows.map((): Sample[] => []));
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`round ${round}/${rounds}\n`);
      loads.forEach(([, path], load) => rows.forEach((row, i) => samples[load]![i]!.push(measure(row, path, redis.pid!))));
    }

    process.stdout.write(`\nwrk -t1 -c${connections} -d${durationS}s × ${rounds} rounds, loopback, node ${process.version}; medians; ratios within each round\n`);
    process.stdout.write(`load average at start ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}, at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}\n\n`);
    const header = ['load', 'rate limits', 'req/s', 'p99 ms', 'proxy µs/req', 'redis µs/req', 'CPU / baseline', '2xx', '429'];
    const widths = [36, 44, 9, 9, 14, 14, 16, 9, 9];
    const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('') + '\n';
    process.stdout.write(line(header));
    loads.forEach(([loadName], load) => rows.forEach((row, i) => {
      const runs = samples[load]![i]!;
      const baseline = samples[load]![0]!;
      process.stdout.write(line([loadName, row.name, median(runs.map((s) => s.rps)).toFixed(0), median(runs.map((s) => s.p99ms)).toFixed(1),
        median(runs.map((s) => s.proxyUs)).toFixed(1), row.withRedis ? median(runs.map((s) => s.redisUs)).toFixed(1) : '-',
        median(runs.map((s, r) => s.proxyUs / baseline[r]!.proxyUs)).toFixed(2),
        String(runs.reduce((sum, s) => sum + s.ok, 0)), String(runs.reduce((sum, s) => sum + s.limited, 0))]));
    }));
    process.stdout.write('\nproxy µs/req: user+system CPU of the proxy process over the measured run / requests completed;\n' +
      'redis µs/req: the same for redis-server. "down": PROXY_REDIS_URL points at a closed port.\n');
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
