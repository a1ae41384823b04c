// npm run bench: requests/s, p50/p99 latency and proxy CPU µs per request for the backend direct,
// NGINX (keep-alive upstream) and pod-proxy, plus naive http-proxy-3 and http-proxy 1.18.1 edges,
// all against the same backend in the same run, loopback only, bounded runs (wrk, default c=50, 5 s).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const durationS = Number(process.env.BENCH_DURATION_S ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 1);
const packageDir = join(__dirname, '..');
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function need(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    process.stderr.write(`bench: "${command}" is missing. Install it with: apt-get update && apt-get install -y ${debianPackage}\n`);
    process.exit(2);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) used so far by the given processes. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  }
  return ticks / clockTicks;
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch { /* process went away */ }
  }
  return pids;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) return NaN;
  const number = Number(match[1]);
  return match[2] === 'us' ? number / 1000 : match[2] === 's' ? number * 1000 : number;
}

function wrk(port: number, seconds: number): WrkResult {
  const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency',
    `http://127.0.0.1:${port}/api/v1/users/bench`], { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50ms: toMs(/50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99ms: toMs(/99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    requests,
    errors: non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

interface Row extends WrkResult { name: string; cpuUsPerRequest: number | null }

function measure(name: string, port: number, pids: number[]): Row {
  wrk(port, warmupS);
  const before = pids.length ? cpuSeconds(pids) : 0;
  const result = wrk(port, durationS);
  const cpu = pids.length ? cpuSeconds(pids) - before : 0;
  return { name, ...result, cpuUsPerRequest: pids.length ? (cpu / result.requests) * 1e6 : null };
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
    const rows: Row[] = [];
    const backendPid = backend.child.pid!;

    rows.push(measure('direct (backend, no proxy)', backend.port, [backendPid]));

    const nginxPort = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, backend.port));
    const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'inherit' });
    children.push(nginx);
    await waitForPort(nginxPort);
    rows.push(measure('NGINX 1 worker, keepalive upstream', nginxPort, [nginx.pid!, ...childrenOf(nginx.pid!)]));

    const proxyPort = await freePort();
    const proxy = spawn(process.execPath, [join(packageDir, 'dist/main.js')], {
      env: {
        ...process.env, PROXY_HOST: '127.0.0.1', PROXY_PORT: String(proxyPort), PROXY_ADMIN_PORT: String(await freePort()),
        PROXY_USERS_URL: backendUrl, PROXY_AUTH_URL: backendUrl, PROXY_HEALTH_URL: backendUrl,
        // One client address: lift the limit so the bench measures the proxy path, not 429s.
        PROXY_USERS_RATE: '1000000000', PROXY_USERS_BURST: '1000000000', LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(proxy);
    await waitForPort(proxyPort);
    rows.push(measure('pod-proxy (full pipeline + access log)', proxyPort, [proxy.pid!]));

    const naive3 = await startScript('naive-http-proxy-3.ts', [backendUrl]);
    children.push(naive3.child);
    rows.push(measure('naive http-proxy-3 1.23.3, keep-alive', naive3.port, [naive3.child.pid!]));

    const naive1 = await startScript('naive-http-proxy.ts', [backendUrl]);
    children.push(naive1.child);
    rows.push(measure('naive http-proxy 1.18.1, keep-alive', naive1.port, [naive1.child.pid!]));

    const nginxRow = rows[1]!;
    const pad = (value: string, width: number) => value.padStart(width);
    process.stdout.write(`\nwrk -t1 -c${connections} -d${durationS}s (after ${warmupS}s warm-up), loopback, node ${process.version}, CPU = proxy process(es) only\n`);
    // Other work on the machine inflates CPU per request and cuts req/s; say how busy it was.
    process.stdout.write(`load average at start ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}, at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}\n\n`);
    process.stdout.write(`${'target'.padEnd(42)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('CPU µs/req', 12)}${pad('rps/NGINX', 11)}${pad('CPU/NGINX', 11)}${pad('errors', 8)}\n`);
    for (const row of rows) {
      const cpu = row.cpuUsPerRequest;
      process.stdout.write(`${row.name.padEnd(42)}${pad(row.rps.toFixed(0), 10)}${pad(row.p50ms.toFixed(2), 9)}${pad(row.p99ms.toFixed(2), 9)}` +
        `${pad(cpu === null ? '-' : cpu.toFixed(1), 12)}${pad((row.rps / nginxRow.rps).toFixed(2), 11)}` +
        `${pad(cpu === null ? '-' : (cpu / nginxRow.cpuUsPerRequest!).toFixed(2), 11)}${pad(String(row.errors), 8)}\n`);
    }
    process.stdout.write('\n"direct" CPU is the backend\'s own cost per request. Goal: pod-proxy ≤ 2.0× NGINX CPU per request, ≥ 0.7× NGINX req/s.\n');
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
