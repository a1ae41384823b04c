// Pod memory from cgroup v2, then v1, then the host's /proc/meminfo, labelled with its source.
// Working set = usage − inactive file cache, the figure the kernel OOM killer and kubelet act on.
import path from 'node:path';
import type { CgroupLocation, CgroupRoots } from './cgroup-location';
import { readKeyValues, readNumber } from './proc-files';

export type ResourceSource = 'cgroup-v2' | 'cgroup-v1' | 'host';

export interface MemorySample {
  source: ResourceSource;
  usageBytes: number;
  workingSetBytes: number;
  /** The cgroup limit, or the host's total memory when the cgroup sets none. */
  limitBytes: number;
  /** Whether limitBytes is a cgroup limit (true) or the host total (false). */
  limited: boolean;
  /** OOM kills inside the cgroup (or host-wide); null when the kernel does not report them. */
  oomKills: number | null;
}

/** v1 reports "no limit" as a page-rounded 2^63 − 1; anything this large is no limit. */
const V1_UNLIMITED = 2 ** 60;

interface HostMemory {
  totalBytes: number;
  availableBytes: number;
}

async function hostMemory(procRoot: string): Promise<HostMemory> {
  const meminfo = await readKeyValues(path.join(procRoot, 'meminfo'));
  const total = meminfo?.get('MemTotal:');
  const available = meminfo?.get('MemAvailable:') ?? meminfo?.get('MemFree:');
  if (total === undefined || available === undefined) throw new Error(`no MemTotal in ${procRoot}/meminfo`);
  return { totalBytes: total * 1024, availableBytes: available * 1024 };
}

function workingSet(usage: number, inactiveFile: number | undefined): number {
  return Math.max(0, usage - (inactiveFile ?? 0));
}

async function fromV2(dir: string, host: HostMemory): Promise<MemorySample | null> {
  const usage = await readNumber(path.join(dir, 'memory.current'));
  if (usage === null) return null;
  const max = await readNumber(path.join(dir, 'memory.max'));
  const stat = await readKeyValues(path.join(dir, 'memory.stat'));
  const events = await readKeyValues(path.join(dir, 'memory.events'));
  const limited = max !== null && Number.isFinite(max);
  return {
    source: 'cgroup-v2',
    usageBytes: usage,
    workingSetBytes: workingSet(usage, stat?.get('inactive_file')),
    limitBytes: limited ? Math.min(max, host.totalBytes) : host.totalBytes,
    limited,
    oomKills: events?.get('oom_kill') ?? null,
  };
}

async function fromV1(dir: string, host: HostMemory): Promise<MemorySample | null> {
  const usage = await readNumber(path.join(dir, 'memory.usage_in_bytes'));
  if (usage === null) return null;
  const limit = await readNumber(path.join(dir, 'memory.limit_in_bytes'));
  const stat = await readKeyValues(path.join(dir, 'memory.stat'));
  const oom = await readKeyValues(path.join(dir, 'memory.oom_control'));
  const limited = limit !== null && limit < V1_UNLIMITED;
  return {
    source: 'cgroup-v1',
    usageBytes: usage,
    workingSetBytes: workingSet(usage, stat?.get('total_inactive_file') ?? stat?.get('inactive_file')),
    limitBytes: limited ? Math.min(limit, host.totalBytes) : host.totalBytes,
    limited,
    oomKills: oom?.get('oom_kill') ?? null,
  };
}

export async function collectMemory(location: CgroupLocation, roots: CgroupRoots): Promise<MemorySample> {
  const host = await hostMemory(roots.procRoot);
  let sample: MemorySample | null = null;
  if (location.version === 'v2') sample = await fromV2(location.dir, host);
  if (location.version === 'v1' && location.memoryDir) sample = await fromV1(location.memoryDir, host);
  if (sample) return sample;
  const used = host.totalBytes - host.availableBytes;
  // /proc/vmstat is ~170 lines: only read when there is no cgroup to ask.
  const vmstat = await readKeyValues(path.join(roots.procRoot, 'vmstat'));
  return {
    source: 'host',
    usageBytes: used,
    workingSetBytes: used,
    limitBytes: host.totalBytes,
    limited: false,
    oomKills: vmstat?.get('oom_kill') ?? null,
  };
}
