// Pod CPU time and CPU limit (in cores) from cgroup v2, then v1, then the host's /proc/stat.
import os from 'node:os';
import path from 'node:path';
import type { CgroupLocation, CgroupRoots } from './cgroup-location';
import type { ResourceSource } from './memory';
import { readKeyValues, readNumber, readText } from './proc-files';

export interface CpuSample {
  source: ResourceSource;
  usageSeconds: number;
  /** Cores the pod may use: the cgroup quota, else the CPUs this process can run on. */
  limitCores: number;
  limited: boolean;
}

/** USER_HZ is 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

function hostCores(): number {
  return os.availableParallelism();
}

async function v2Limit(dir: string): Promise<number | null> {
  const raw = await readText(path.join(dir, 'cpu.max'));
  const [quota, period] = raw?.trim().split(/\s+/) ?? [];
  if (!quota || quota === 'max' || !period) return null;
  const cores = Number(quota) / Number(period);
  return Number.isFinite(cores) && cores > 0 ? cores : null;
}

async function v1Limit(dir: string | null): Promise<number | null> {
  if (!dir) return null;
  const quota = await readNumber(path.join(dir, 'cpu.cfs_quota_us'));
  const period = await readNumber(path.join(dir, 'cpu.cfs_period_us'));
  if (quota === null || period === null || quota <= 0 || period <= 0) return null;
  return quota / period;
}

function withLimit(source: ResourceSource, usageSeconds: number, limit: number | null): CpuSample {
  const cores = hostCores();
  return limit === null
    ? { source, usageSeconds, limitCores: cores, limited: false }
    : { source, usageSeconds, limitCores: Math.min(limit, cores), limited: true };
}

async function hostUsageSeconds(procRoot: string): Promise<number> {
  const raw = await readText(path.join(procRoot, 'stat'));
  const line = raw?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error(`no cpu line in ${procRoot}/stat`);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

export async function collectCpu(location: CgroupLocation, roots: CgroupRoots): Promise<CpuSample> {
  if (location.version === 'v2') {
    const stat = await readKeyValues(path.join(location.dir, 'cpu.stat'));
    const usec = stat?.get('usage_usec');
    if (usec !== undefined) return withLimit('cgroup-v2', usec / 1e6, await v2Limit(location.dir));
  }
  if (location.version === 'v1' && location.cpuacctDir) {
    const ns = await readNumber(path.join(location.cpuacctDir, 'cpuacct.usage'));
    if (ns !== null) return withLimit('cgroup-v1', ns / 1e9, await v1Limit(location.cpuDir));
  }
  return withLimit('host', await hostUsageSeconds(roots.procRoot), null);
}
