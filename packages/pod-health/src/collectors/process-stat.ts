// CPU seconds and resident memory of one process from /proc/<pid>/stat, so services listed by the
// supervisor state file (which carries no figures) still get per-service CPU and memory.
import path from 'node:path';
import { readText } from './proc-files';

export interface ProcessUsage {
  cpuSeconds: number;
  residentBytes: number;
}

const CLOCK_TICKS_PER_SECOND = 100;
/** 4 KiB pages on x86-64 and on arm64 kernels as shipped by Debian. */
const PAGE_BYTES = 4096;

export async function readProcessUsage(procRoot: string, pid: number): Promise<ProcessUsage | null> {
  const raw = await readText(path.join(procRoot, String(pid), 'stat'));
  if (raw === null) return null;
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = raw.slice(raw.lastIndexOf(')') + 2).trim().split(/\s+/);
  // After the name, field 3 (state) is index 0: utime=14, stime=15, rss=24 → indexes 11, 12, 21.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![utime, stime, rss].every(Number.isFinite)) return null;
  return { cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND, residentBytes: rss * PAGE_BYTES };
}
