// CPU accounting for the bench: CPU seconds of a set of processes (all threads, from /proc) and how
// busy the whole machine was, so a row can say what the proxy cost and whether the box was saturated.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": index 0 is field 3 (state) of proc(5).
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds (user + system) used so far by the given processes. /proc/<pid>/stat counts every
 * thread of the process, including threads that already exited (libuv pool, V8 GC helpers).
 */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  }
  return ticks / clockTicks;
}

export function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(Number(entry))[1]) === parent) pids.push(Number(entry));
    } catch { /* process went away */ }
  }
  return pids;
}

/** Busy and total jiffies of all CPUs (/proc/stat), to report how loaded the machine was in a window. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = values.reduce((sum, n) => sum + n, 0);
  return { busy: total - values[3]! - values[4]!, total };
}
