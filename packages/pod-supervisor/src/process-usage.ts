// CPU time and resident memory of a process from /proc (Linux), without asking PM2.
import fs from 'node:fs';

export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
}

const clockTicksPerSecond = 100;

/** Memory a process holds: RSS counts shared pages (the Node binary) in full, PSS divides them
 * among the processes sharing them, USS counts only its own (private) pages. */
export interface MemoryShares {
  rssBytes: number;
  pssBytes: number;
  ussBytes: number;
}

export function readMemoryShares(pid: number): MemoryShares | null {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
    return { rssBytes: kb('Rss'), pssBytes: kb('Pss'), ussBytes: kb('Private_Clean') + kb('Private_Dirty') };
  } catch {
    return null;
  }
}

export function readProcessUsage(pid: number): ProcessUsage | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { cpuSeconds: ticks / clockTicksPerSecond, rssBytes: Number(rssKb ?? 0) * 1024 };
  } catch {
    return null;
  }
}
