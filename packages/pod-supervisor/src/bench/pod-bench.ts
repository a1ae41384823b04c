// `npm run bench`: cold start to all-ready, kill -9 → serving again (p50/p95) and idle RSS of
// the pod under core-pod, with plain PM2 defaults measured in the same run as the baseline.
// Real services when every packages/*/dist/main.js exists (BENCH_TARGET=fixtures to force the
// fixture services). Ports are free ones, never the pod's defaults; PM2 homes are temp dirs.
// With real services it then prints the fleet table (fleet-bench.ts; BENCH_FLEET=0 skips it).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../pod-definition';
import { readMemoryShares, type MemoryShares } from '../process-usage';
import { probeOnce } from '../readiness-probe';
import { readStateFile, stateFilePath } from '../state-file';
import { benchTargets, type BenchTarget } from './bench-targets';
import { runFleetBench } from './fleet-bench';
import { freePorts } from './pod-fleet';

const kills = Number(process.env.BENCH_KILLS ?? 20);
const pm2Bin = path.join(repoRoot, 'node_modules', 'pm2', 'bin', 'pm2');
const cliScript = path.resolve(__dirname, '..', 'cli.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pod {
  label: string;
  /** Pids of the services by name, once each is up and past its start window. */
  settledPids(): Promise<Map<string, number>>;
  overheadPids(): number[];
  stop(): Promise<void>;
}

interface Figures {
  coldStartMs: number;
  restartMs: Map<string, number[]>;
  /** Idle memory per process; the goal (<= 250 MB) is judged on the RSS sum, PSS/USS shown beside it. */
  rss: Map<string, number>;
  memory: Map<string, MemoryShares>;
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

const allReady = async (targets: BenchTarget[]) => ((await Promise.all(targets.map((t) => probeOnce(t.readinessUrl, 500)))).every(Boolean) ? true : undefined);

function startCorePod(definitionFile: string | null, env: NodeJS.ProcessEnv, dataDir: string): Pod {
  const args = [cliScript, 'start', ...(definitionFile ? ['--definition', definitionFile] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...env, POD_LOG_STDOUT: '0' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    label: 'core-pod',
    async settledPids() {
      return until(() => {
        const state = readStateFile(stateFilePath(dataDir));
        const settled = state?.services.every((s) => s.state === 'RUNNING' && s.pid && Date.now() - Date.parse(s.startedAt ?? '') > 1200);
        return settled && state ? new Map(state.services.map((s) => [s.name, s.pid as number])) : undefined;
      }, 'core-pod services to settle', 60_000, 20);
    },
    overheadPids: () => (child.pid ? [child.pid] : []),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function startPm2Defaults(targets: BenchTarget[], env: NodeJS.ProcessEnv, home: string): Pod {
  // Plain defaults on purpose: no pmx:false, no wait_ready, no ordering.
  const file = path.join(home, 'baseline.config.js');
  const apps = targets.map((t) => ({ name: t.name, script: t.script, cwd: repoRoot, env: t.env }));
  fs.writeFileSync(file, `module.exports = ${JSON.stringify({ apps })};\n`);
  const pm2Env = { ...env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true' };
  execFileSync(process.execPath, [pm2Bin, 'start', file], { env: pm2Env, stdio: 'ignore' });
  return {
    label: 'PM2 defaults',
    async settledPids() {
      return until(() => {
        const list = JSON.parse(execFileSync(process.execPath, [pm2Bin, 'jlist'], { env: pm2Env, encoding: 'utf8' })) as Array<{ name: string; pid: number; pm2_env: { status: string; pm_uptime: number } }>;
        const settled = list.length === targets.length && list.every((p) => p.pm2_env.status === 'online' && p.pid && Date.now() - p.pm2_env.pm_uptime > 1200);
        return settled ? new Map(list.map((p) => [p.name, p.pid])) : undefined;
      }, 'PM2 apps to settle', 60_000, 100);
    },
    overheadPids: () => [Number(fs.readFileSync(path.join(home, 'pm2.pid'), 'utf8'))],
    async stop() {
      execFileSync(process.execPath, [pm2Bin, 'kill'], { env: pm2Env, stdio: 'ignore' });
    },
  };
}

async function measure(targets: BenchTarget[], start: () => Pod): Promise<Figures> {
  const began = Date.now();
  const pod = start();
  try {
    await until(() => allReady(targets), `${pod.label} cold start`);
    const coldStartMs = Date.now() - began;
    const restartMs = new Map<string, number[]>();
    for (const target of targets) {
      const times: number[] = [];
      for (let i = 0; i < kills; i++) {
        const pid = (await pod.settledPids()).get(target.name);
        if (!pid) throw new Error(`bench: no pid for ${target.name}`);
        const killedAt = performance.now();
        process.kill(pid, 'SIGKILL');
        // Wait for the dead process to stop answering, then for the new one to answer.
        await until(async () => ((await probeOnce(target.readinessUrl, 200)) ? undefined : true), `${target.name} to go down`, 2000, 1).catch(() => true);
        await until(async () => ((await probeOnce(target.readinessUrl, 200)) ? true : undefined), `${target.name} to serve again`, 30_000, 5);
        times.push(performance.now() - killedAt);
      }
      restartMs.set(target.name, times);
    }
    const pids = await pod.settledPids();
    await sleep(2000);
    const memory = new Map<string, MemoryShares>();
    const none: MemoryShares = { rssBytes: 0, pssBytes: 0, ussBytes: 0 };
    for (const pid of pod.overheadPids()) memory.set(pod.label === 'core-pod' ? 'supervisor (+PM2 God)' : 'PM2 God daemon', readMemoryShares(pid) ?? none);
    for (const [name, pid] of pids) memory.set(name, readMemoryShares(pid) ?? none);
    const rss = new Map([...memory].map(([name, m]) => [name, m.rssBytes]));
    return { coldStartMs, restartMs, rss, memory };
  } finally {
    await pod.stop();
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

function printTable(targets: BenchTarget[], base: Figures, ours: Figures): void {
  const rows: string[][] = [['figure', 'PM2 defaults', 'core-pod', 'core-pod / PM2']];
  const add = (label: string, a: number, b: number, unit: string, digits = 0) => rows.push([label, `${a.toFixed(digits)} ${unit}`, `${b.toFixed(digits)} ${unit}`, (b / a).toFixed(2)]);
  add('cold start to all-ready', base.coldStartMs / 1000, ours.coldStartMs / 1000, 's', 2);
  const all = (f: Figures) => [...f.restartMs.values()].flat();
  for (const t of targets) {
    add(`kill -9 → serving, ${t.name} p50`, percentile(base.restartMs.get(t.name)!, 50), percentile(ours.restartMs.get(t.name)!, 50), 'ms');
    add(`kill -9 → serving, ${t.name} p95`, percentile(base.restartMs.get(t.name)!, 95), percentile(ours.restartMs.get(t.name)!, 95), 'ms');
  }
  add('kill -9 → serving, all p95', percentile(all(base), 95), percentile(all(ours), 95), 'ms');
  const mb = (bytes: number) => bytes / 1048576;
  const overheadBase = [...base.rss].filter(([k]) => k.startsWith('PM2'));
  const overheadOurs = [...ours.rss].filter(([k]) => k.startsWith('supervisor'));
  add('idle RSS, supervision (God / supervisor)', mb(overheadBase[0]?.[1] ?? 0), mb(overheadOurs[0]?.[1] ?? 0), 'MB', 1);
  for (const t of targets) add(`idle RSS, ${t.name}`, mb(base.rss.get(t.name) ?? 0), mb(ours.rss.get(t.name) ?? 0), 'MB', 1);
  const sum = (f: Figures) => [...f.rss.values()].reduce((a, b) => a + b, 0);
  add('idle RSS, pod total', mb(sum(base)), mb(sum(ours)), 'MB', 1);
  // RSS counts the Node binary's shared pages once per process; PSS shares them out, USS drops them.
  const total = (f: Figures, key: 'pssBytes' | 'ussBytes') => [...f.memory.values()].reduce((a, m) => a + m[key], 0);
  for (const t of targets) add(`idle PSS, ${t.name}`, mb(base.memory.get(t.name)?.pssBytes ?? 0), mb(ours.memory.get(t.name)?.pssBytes ?? 0), 'MB', 1);
  add('idle PSS, pod total', mb(total(base, 'pssBytes')), mb(total(ours, 'pssBytes')), 'MB', 1);
  add('idle USS, pod total', mb(total(base, 'ussBytes')), mb(total(ours, 'ussBytes')), 'MB', 1);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-bench-'));
  try {
    const ports = await freePorts(6);
    const { mode, targets, env, definitionFile } = benchTargets(work, ports);
    console.log(`core-pod bench: ${mode} services, ${kills} kill -9 per service, Node ${process.version}, ${os.cpus().length} CPUs`);
    const baseEnv = { ...process.env, ...env, POD_DATA_DIR: path.join(work, 'baseline-data') };
    const base = await measure(targets, () => startPm2Defaults(targets, baseEnv, fs.mkdtempSync(path.join(work, 'pm2-'))));
    const oursDir = path.join(work, 'core-pod-data');
    const oursEnv = { ...process.env, ...env, POD_DATA_DIR: oursDir, POD_PM2_HOME: path.join(oursDir, 'pm2') };
    const ours = await measure(targets, () => startCorePod(definitionFile, oursEnv, oursDir));
    printTable(targets, base, ours);
    console.log('goals: restart p95 <= 500 ms, pod idle RSS <= 250 MB, cold start <= 3 s');
    if (mode === 'real' && process.env.BENCH_FLEET !== '0') await runFleetBench(work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
