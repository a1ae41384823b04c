// Finds this process's cgroup directories: the unified (v2) hierarchy, else the v1 memory and
// cpu/cpuacct controllers, else nothing (host figures). Roots are parameters so fixtures can stand in.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readText } from './proc-files';

export type CgroupLocation =
  | { version: 'v2'; dir: string }
  | { version: 'v1'; memoryDir: string | null; cpuacctDir: string | null; cpuDir: string | null }
  | { version: 'none' };

export interface CgroupRoots {
  cgroupRoot: string;
  procRoot: string;
}

/** Parses /proc/self/cgroup lines "id:controllers:path" into controller → path ("" is v2). */
function membership(raw: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of raw.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers = '', cgroupPath = '/'] = match;
    if (controllers === '') paths.set('', cgroupPath);
    for (const controller of controllers.split(',')) if (controller) paths.set(controller, cgroupPath);
  }
  return paths;
}

/**
 * The process's own cgroup directory when visible (no cgroup namespace), otherwise the mount
 * root, which is the container's own cgroup when the runtime uses a cgroup namespace.
 */
function ownDir(mountDir: string, cgroupPath: string | undefined): string {
  if (cgroupPath && cgroupPath !== '/') {
    const candidate = path.join(mountDir, cgroupPath);
    if (existsSync(candidate)) return candidate;
  }
  return mountDir;
}

function firstExisting(dirs: string[]): string | null {
  return dirs.find((dir) => existsSync(dir)) ?? null;
}

export async function locateCgroup({ cgroupRoot, procRoot }: CgroupRoots): Promise<CgroupLocation> {
  const raw = await readText(path.join(procRoot, 'self', 'cgroup'));
  if (raw === null) return { version: 'none' };
  const paths = membership(raw);
  if (existsSync(path.join(cgroupRoot, 'cgroup.controllers'))) {
    return { version: 'v2', dir: ownDir(cgroupRoot, paths.get('')) };
  }
  const memoryMount = firstExisting([path.join(cgroupRoot, 'memory')]);
  const cpuacctMount = firstExisting(['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu'].map((d) => path.join(cgroupRoot, d)));
  const cpuMount = firstExisting(['cpu', 'cpu,cpuacct', 'cpuacct,cpu'].map((d) => path.join(cgroupRoot, d)));
  if (!memoryMount && !cpuacctMount) return { version: 'none' };
  return {
    version: 'v1',
    memoryDir: memoryMount ? ownDir(memoryMount, paths.get('memory')) : null,
    cpuacctDir: cpuacctMount ? ownDir(cpuacctMount, paths.get('cpuacct')) : null,
    cpuDir: cpuMount ? ownDir(cpuMount, paths.get('cpu')) : null,
  };
}
