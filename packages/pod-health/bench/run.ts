// `npm run bench`: what pod-health costs. Per-collector CPU against the systeminformation calls
// they replace, CPU per /metrics scrape against a trivial /livez baseline, RSS of the health
// process against a bare node process, and CPU/RSS of one check-command run against `node -e 0`.
// Figures only; nothing here fails on timing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import si from 'systeminformation';
import { locateCgroup } from '../src/collectors/cgroup-location';
import { collectCpu } from '../src/collectors/cpu';
import { collectFilesystem } from '../src/collectors/filesystem';
import { collectMemory } from '../src/collectors/memory';
import { collectNetwork } from '../src/collectors/network';
import { createPm2ProcessLister } from '../src/collectors/pm2-process-list';
import { fakeService, freePort, until } from '../test/loopback-servers';

const run = promisify(execFile);
const DIST = path.join(__dirname, '..', 'dist');
const ROOTS = { cgroupRoot: '/sys/fs/cgroup', procRoot: '/proc' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * First-call wall ms (systeminformation primes caches and waits on its first call) and the
 * median wall ms and CPU ms (user + system of this process) of the calls after it.
 */
async function cost(fn: () => Promise<unknown>, runs = 15): Promise<{ first: number; wall: number; cpu: number }> {
  const t = process.hrtime.bigint();
  await fn();
  const first = Number(process.hrtime.bigint() - t) / 1e6;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const used = process.cpuUsage(cpu0);
    cpus.push((used.user + used.system) / 1000);
  }
  return { first, wall: median(walls), cpu: median(cpus) };
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function collectorTable(): Promise<void> {
  const location = await locateCgroup(ROOTS);
  const dataDir = os.tmpdir();
  const pm2Home = await mkdtemp(path.join(os.tmpdir(), 'pod-health-bench-pm2-'));
  const rows: Array<[string, () => Promise<unknown>, string, () => Promise<unknown>]> = [
    ['memory (cgroup/proc)', () => collectMemory(location, ROOTS), 'si.mem()', () => si.mem()],
    ['cpu (cgroup/proc)', () => collectCpu(location, ROOTS), 'si.currentLoad()', () => si.currentLoad()],
    ['filesystem (statfs)', () => collectFilesystem(dataDir, '/proc'), 'si.fsSize()', () => si.fsSize()],
    ['network (/proc/net/dev)', () => collectNetwork('/proc'), 'si.networkStats()', () => si.networkStats('*')],
  ];
  console.log('\nCollector cost per call (first call, then median of 15; CPU = this process, user+system)');
  console.log('| collector | first ms | wall ms | CPU ms | systeminformation baseline | first ms | wall ms | CPU ms | CPU ratio |');
  console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const [name, ours, baseName, base] of rows) {
    const a = await cost(ours);
    const b = await cost(base);
    console.log(`| ${name} | ${fmt(a.first)} | ${fmt(a.wall)} | ${fmt(a.cpu)} | ${baseName} | ${fmt(b.first)} | ${fmt(b.wall)} | ${fmt(b.cpu)} | ${fmt(a.cpu / b.cpu)} |`);
  }
  const lister = createPm2ProcessLister(pm2Home);
  const pm2 = await cost(() => lister.list(), 5);
  console.log(`| PM2 list, no daemon (ping only) | ${fmt(pm2.first)} | ${fmt(pm2.wall)} | ${fmt(pm2.cpu)} | | | | | |`);
  // A private PM2 daemon with one idle app: the fallback path when no supervisor state file is fresh.
  const pm2Env = { ...process.env, PM2_HOME: pm2Home, PM2_DISABLE_VERSION_CHECK: 'true' };
  const pm2Bin = require.resolve('pm2/bin/pm2');
  await run(process.execPath, [pm2Bin, 'start', process.execPath, '--name', 'idle', '--', '-e', 'setInterval(() => {}, 1000)'], { env: pm2Env });
  try {
    const listed = await cost(() => lister.list(), 10);
    console.log(`| PM2 list, daemon with 1 app | ${fmt(listed.first)} | ${fmt(listed.wall)} | ${fmt(listed.cpu)} | | | | | |`);
  } finally {
    await run(process.execPath, [pm2Bin, 'kill'], { env: pm2Env });
  }
  await rm(pm2Home, { recursive: true, force: true });
}

async function procUsage(pid: number): Promise<{ cpuMs: number; rssBytes: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, rssBytes: rssKb * 1024 };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function serverTable(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-bench-'));
  const auth = await fakeService({ code: 200, status: 'pass' });
  const users = await fakeService({ code: 200, status: 'pass' });
  const port = await freePort();
  const env = {
    ...process.env,
    HEALTH_PORT: String(port),
    POD_DATA_DIR: dataDir,
    PM2_HOME: path.join(dataDir, 'pm2'),
    HEALTH_AUTH_HEALTH_URL: `${auth.url}/health`,
    HEALTH_AUTH_METRICS_URL: `${auth.url}/metrics`,
    HEALTH_USERS_HEALTH_URL: `${users.url}/health`,
    HEALTH_USERS_METRICS_URL: `${users.url}/metrics`,
    HEALTH_PROXY_HEALTH_URL: 'off',
    HEALTH_PROXY_METRICS_URL: 'off',
    LOG_LEVEL: 'warn',
  };
  const health = spawn(process.execPath, [path.join(DIST, 'main.js')], { env, stdio: 'ignore' });
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await until(() => fetch(`${url}/livez`).then((r) => r.ok, () => false), (ok) => ok, 15_000);
  const scrapes = 200;
  const perRequest = async (route: string): Promise<number> => {
    for (let i = 0; i < 20; i++) await (await fetch(`${url}${route}`)).text();
    const before = await procUsage(health.pid!);
    for (let i = 0; i < scrapes; i++) await (await fetch(`${url}${route}`)).text();
    const after = await procUsage(health.pid!);
    return (after.cpuMs - before.cpuMs) / scrapes;
  };
  const livez = await perRequest('/livez');
  const metrics = await perRequest('/metrics');
  const health200 = await perRequest('/health');
  const size = (await (await fetch(`${url}/metrics`)).text()).length;
  await new Promise((r) => setTimeout(r, 6000)); // let at least one background tick land in the RSS
  const rss = (await procUsage(health.pid!)).rssBytes;
  const bareRss = (await procUsage(bare.pid!)).rssBytes;
  console.log(`\nHealth process (dist/main.js, 2 loopback services as targets; ${scrapes} sequential requests, CPU from /proc/<pid>/stat at 10 ms resolution)`);
  console.log('| figure | value | baseline | baseline value | ratio |');
  console.log('|---|---:|---|---:|---:|');
  console.log(`| CPU per /metrics scrape (${Math.round(size / 1024)} KiB) | ${fmt(metrics, 3)} ms | /livez | ${fmt(livez, 3)} ms | ${fmt(metrics / livez, 1)} |`);
  console.log(`| CPU per /health request | ${fmt(health200, 3)} ms | /livez | ${fmt(livez, 3)} ms | ${fmt(health200 / livez, 1)} |`);
  console.log(`| RSS of the health process | ${fmt(rss / 2 ** 20, 1)} MB | bare node idle | ${fmt(bareRss / 2 ** 20, 1)} MB | ${fmt(rss / bareRss, 2)} |`);
  await Promise.all([stopChild(health), stopChild(bare)]);
  await Promise.all([auth.close(), users.close()]);
  return checkTable(port, dataDir, env);
}

async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ cpu: number; rssMb: number; wall: number }> {
  const t0 = process.hrtime.bigint();
  const { stderr } = await run('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], { env }).catch(
    (err: { stderr: string }) => ({ stderr: err.stderr }),
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const [user = 'NaN', sys = 'NaN', maxKb = 'NaN'] = stderr.trim().split('\n').pop()!.split(' ');
  return { cpu: (Number(user) + Number(sys)) * 1000, rssMb: Number(maxKb) / 1024, wall };
}

async function checkTable(port: number, dataDir: string, baseEnv: NodeJS.ProcessEnv): Promise<void> {
  // A running health server for the check to talk to (targets off: the answer's status is irrelevant here).
  const env = { ...baseEnv, HEALTH_AUTH_HEALTH_URL: 'off', HEALTH_USERS_HEALTH_URL: 'off', HEALTH_AUTH_METRICS_URL: 'off', HEALTH_USERS_METRICS_URL: 'off' };
  const health = spawn(process.execPath, [path.join(DIST, 'main.js')], { env, stdio: 'ignore' });
  await until(() => fetch(`http://127.0.0.1:${port}/livez`).then((r) => r.ok, () => false), (ok) => ok, 15_000);
  const runs = 7;
  const check: Array<Awaited<ReturnType<typeof timed>>> = [];
  const bare: Array<Awaited<ReturnType<typeof timed>>> = [];
  for (let i = 0; i < runs; i++) {
    check.push(await timed([path.join(DIST, 'check.js')], env));
    bare.push(await timed(['-e', '0'], env));
  }
  const m = (xs: typeof check, k: 'cpu' | 'rssMb' | 'wall') => median(xs.map((x) => x[k]));
  console.log(`\nCheck command (dist/check.js → /readyz), median of ${runs} runs via /usr/bin/time`);
  console.log('| figure | check.js | node -e 0 (baseline) | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| CPU (user+sys) ms | ${fmt(m(check, 'cpu'), 0)} | ${fmt(m(bare, 'cpu'), 0)} | ${fmt(m(check, 'cpu') / m(bare, 'cpu'))} |`);
  console.log(`| max RSS MB | ${fmt(m(check, 'rssMb'), 1)} | ${fmt(m(bare, 'rssMb'), 1)} | ${fmt(m(check, 'rssMb') / m(bare, 'rssMb'))} |`);
  console.log(`| wall ms | ${fmt(m(check, 'wall'), 0)} | ${fmt(m(bare, 'wall'), 0)} | ${fmt(m(check, 'wall') / m(bare, 'wall'))} |`);
  await stopChild(health);
  await rm(dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`pod-health bench — node ${process.version}, ${os.availableParallelism()} CPUs, ${new Date().toISOString()}`);
  await collectorTable();
  await serverTable();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
