// npm run bench: requests/s, p50/p99 latency and CPU µs per request for the backend direct, NGINX
// (keep-alive upstream), pod-proxy (with and without its access log), naive http-proxy-3 /
// http-proxy 1.18.1 edges and a bare node:http forwarder, all against the same backend, in alternating rounds so every ratio is
// taken within one round; loopback only, bounded runs (wrk, default c=50, 4 s × 3 rounds).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, need, toMs, waitForPort } from './local-services';
import { childrenOf, cpuSeconds, machineTicks } from './process-cpu';

const durationS = Number(process.env.BENCH_DURATION_S ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const pacedDelayMs = Number(process.env.BENCH_PACED_DELAY_MS ?? 12);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 1);
const packageDir = join(__dirname, '..');

function startScript(script: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import=tsx', join(__dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

interface WrkResult { rps: number; p50ms: number; p99ms: number; requests: number; errors: number }

/** script: a wrk Lua file (the paced runs), or null for closed-loop "as fast as it answers". */
function wrk(port: number, seconds: number, script: string | null): WrkResult {
  const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(script === null ? [] : ['-s', script]),
    `http://127.0.0.1:${port}/api/v1/users/bench`], { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    // Anchored: "86.50%" in the thread-stats lines would match an unanchored /50%/.
    p50ms: toMs(/^\s*50%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    p99ms: toMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    requests,
    errors: non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

interface Sample extends WrkResult {
  /** CPU µs per request of the edge's own process(es); null for the direct row. */
  edgeUs: number | null;
  /** CPU µs per request of the backend behind it. */
  backendUs: number;
  /** Share of all CPUs busy during the window (wrk, backend, edge and anything else on the box). */
  busy: number;
}

interface Target { name: string; port: number; pids: () => number[] }

/** One warm-up and one measured wrk run; CPU is read right before and right after the measured run. */
function measure(target: Target, backendPid: number, script: string | null): Sample {
  wrk(target.port, warmupS, script);
  const pids = target.pids();
  const edgeBefore = cpuSeconds(pids);
  const backendBefore = cpuSeconds([backendPid]);
  const ticksBefore = machineTicks();
  const result = wrk(target.port, durationS, script);
  const ticksAfter = machineTicks();
  const perRequest = (seconds: number) => (seconds / result.requests) * 1e6;
  return {
    ...result,
    edgeUs: pids.length === 0 ? null : perRequest(cpuSeconds(pids) - edgeBefore),
    backendUs: perRequest(cpuSeconds([backendPid]) - backendBefore),
    busy: (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total),
  };
}

/** NGINX forks its workers after binding the port: wait for all of them before measuring. */
async function nginxProcesses(masterPid: number, workers: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const children = childrenOf(masterPid);
    if (children.length >= workers) return [masterPid, ...children];
    if (Date.now() > deadline) throw new Error(`nginx started ${children.length} of ${workers} workers`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function nginxConfig(dir: string, port: number, backendPort: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port} backlog=1024;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
}

function range(values: number[], digits: number): string {
  const sorted = [...values].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (sorted.length === 1) return median.toFixed(digits);
  return `${median.toFixed(digits)} (${sorted[0]!.toFixed(digits)}–${sorted[sorted.length - 1]!.toFixed(digits)})`;
}

function printTable(heading: string, names: string[], samples: Sample[][]): void {
  const nginx = samples[1]!;
  process.stdout.write(`\n${heading}\n`);
  const columns: Array<[string, number]> = [['target', 40], ['req/s', 20], ['p50 ms', 9], ['p99 ms', 9],
    ['edge CPU µs/req', 20], ['backend µs/req', 18], ['rps/NGINX', 20], ['CPU/NGINX', 20], ['box busy', 9], ['errors', 7]];
  process.stdout.write(columns.map(([title, width], i) => (i === 0 ? title.padEnd(width) : title.padStart(width))).join('') + '\n');
  names.forEach((name, row) => {
    const runs = samples[row]!;
    const edge = runs.every((s) => s.edgeUs !== null) ? range(runs.map((s) => s.edgeUs!), 1) : '-';
    const cpuRatio = row === 0 ? '-' : range(runs.map((s, i) => s.edgeUs! / nginx[i]!.edgeUs!), 2);
    const cells = [name, range(runs.map((s) => s.rps), 0), range(runs.map((s) => s.p50ms), 2).split(' ')[0]!,
      range(runs.map((s) => s.p99ms), 1).split(' ')[0]!, edge, range(runs.map((s) => s.backendUs), 1).split(' ')[0]!,
      range(runs.map((s, i) => s.rps / nginx[i]!.rps), 2), cpuRatio,
      `${Math.round(100 * runs.reduce((sum, s) => sum + s.busy, 0) / runs.length)} %`,
      String(runs.reduce((sum, s) => sum + s.errors, 0))];
    process.stdout.write(cells.map((cell, i) => (i === 0 ? cell.padEnd(columns[i]![1]) : cell.padStart(columns[i]![1]))).join('') + '\n');
  });
}

function printNotes(loadAtStart: number[]): void {
  process.stdout.write(`
wrk -t1 -c${connections} -d${durationS}s (after ${warmupS}s warm-up) × ${rounds} rounds, loopback, node ${process.version}
load average at start ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}, at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}
each cell: median (min–max) over the rounds; ratios are taken against NGINX within the same round.
edge CPU = user+system CPU of the edge's own processes (NGINX: master + worker; Node: the whole process,
all threads) over exactly the measured wrk run, divided by the requests wrk completed; the backend's
CPU is reported apart (p50/p99/backend: medians). "box busy" near 100 % means the 2 CPUs were saturated
(wrk + backend + edge), so req/s is bounded by CPU sharing, not by the edge alone.
CPU per request falls as the rate rises (more requests per event-loop wake-up, for NGINX, Node and the
backend alike), so the closed-loop table compares NGINX at its high rate with Node edges at a low one;
the paced table offers every target the same rate (each connection waits ${pacedDelayMs} ms between
requests), which compares the work per request at equal load.
Goal: pod-proxy ≤ 2.0× NGINX CPU per request, ≥ 0.7× NGINX req/s.
`);
}

async function main(): Promise<void> {
  need('nginx', 'nginx-light');
  need('wrk', 'wrk');
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'pod-proxy-bench-'));
  const children: ChildProcess[] = [];
  try {
    const backend = await startScript('backend.ts', []);
    children.push(backend.child);
    const backendUrl = `http://127.0.0.1:${backend.port}`;
    const backendPid = backend.child.pid!;
    const targets: Target[] = [{ name: 'direct (backend, no proxy)', port: backend.port, pids: () => [] }];

    const nginxPort = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, backend.port));
    const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'inherit' });
    children.push(nginx);
    await waitForPort(nginxPort);
    const nginxPids = await nginxProcesses(nginx.pid!, 1);
    targets.push({ name: 'NGINX 1 worker, keepalive upstream', port: nginxPort, pids: () => nginxPids });

    // BENCH_PREVIOUS_DIST: another build's dist/ (e.g. a worktree of the previous commit), measured in the
    // same rounds, so a change's cost is a ratio within one run.
    const previous = process.env.BENCH_PREVIOUS_DIST;
    const proxies: [string, string, string][] = [
      ['pod-proxy (full pipeline + access log)', 'info', join(packageDir, 'dist')],
      ['pod-proxy, access log off', 'silent', join(packageDir, 'dist')],
      ...(previous ? [[`pod-proxy previous build (${previous}), access log off`, 'silent', previous] as [string, string, string]] : []),
    ];
    for (const [name, logLevel, dist] of proxies) {
      const proxyPort = await freePort();
      const proxy = spawn(process.execPath, [join(dist, 'main.js')], {
        env: {
          ...process.env, PROXY_HOST: '127.0.0.1', PROXY_PORT: String(proxyPort), PROXY_ADMIN_PORT: String(await freePort()),
          PROXY_USERS_URL: backendUrl, PROXY_AUTH_URL: backendUrl, PROXY_HEALTH_URL: backendUrl,
          // One client address: lift the limit so the bench measures the proxy path, not 429s.
          PROXY_USERS_RATE: '1000000000', PROXY_USERS_BURST: '1000000000', PROXY_CLIENT_MAX_IN_FLIGHT: '100000', LOG_LEVEL: logLevel,
        },
        // The access log goes to a file, as NGINX's does (PM2 also appends stdout to a file).
        stdio: ['ignore', openSync(join(dir, `${logLevel}-${proxyPort}.log`), 'a'), 'inherit'],
      });
      children.push(proxy);
      await waitForPort(proxyPort);
      targets.push({ name, port: proxyPort, pids: () => [proxy.pid!] });
    }

    const naive3 = await startScript('naive-http-proxy-3.ts', [backendUrl]);
    children.push(naive3.child);
    targets.push({ name: 'naive http-proxy-3 1.23.3, keep-alive', port: naive3.port, pids: () => [naive3.child.pid!] });

    const bare = await startScript('naive-node-http.ts', [backendUrl]);
    children.push(bare.child);
    targets.push({ name: 'bare node:http + http.request, keep-alive', port: bare.port, pids: () => [bare.child.pid!] });

    const naive1 = await startScript('naive-http-proxy.ts', [backendUrl]);
    children.push(naive1.child);
    targets.push({ name: 'naive http-proxy 1.18.1, keep-alive', port: naive1.port, pids: () => [naive1.child.pid!] });

    // wrk calls delay() before each request on a connection: a fixed pause gives every target about the same rate.
    const pacedScript = join(dir, 'paced.lua');
    writeFileSync(pacedScript, `function delay()\n  return ${pacedDelayMs}\nend\n`);
    const samples: Sample[][] = targets.map(() => []);
    const paced: Sample[][] = targets.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`round ${round}/${rounds}\n`);
      targets.forEach((target, i) => samples[i]!.push(measure(target, backendPid, null)));
      targets.forEach((target, i) => paced[i]!.push(measure(target, backendPid, pacedScript)));
    }
    const names = targets.map((target) => target.name);
    printTable('Closed loop: each connection sends its next request as soon as the answer arrives', names, samples);
    printTable(`Paced: same offered load for every target (${connections} connections × one request per ${pacedDelayMs} ms + latency)`, names, paced);
    printNotes(loadAtStart);
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
