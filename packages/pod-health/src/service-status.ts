// The `/status` view: one row per service (name, pid, state, uptime, restarts, CPU, memory), with
// CPU as a percentage of one core over the interval between the last two snapshots.
import type { Snapshot } from './collector-registry';

export interface ServiceStatusRow {
  name: string;
  pid: number | null;
  state: string;
  uptime: number | null;
  restarts: number;
  /** Percent of one core over the last collection interval; null until two snapshots exist. */
  cpu: number | null;
  cpuSeconds: number | null;
  memory: number | null;
  critical: boolean;
  source: string;
}

export function serviceStatus(current: Snapshot | null, previous: Snapshot | null): ServiceStatusRow[] {
  if (!current) return [];
  const before = new Map((previous?.readings.services ?? []).map((s) => [s.name, s]));
  const elapsed = previous ? (current.at - previous.at) / 1000 : 0;
  return (current.readings.services ?? []).map((s) => {
    const old = before.get(s.name);
    const comparable = old && old.pid === s.pid && old.cpuSeconds !== null && s.cpuSeconds !== null && elapsed > 0;
    return {
      name: s.name,
      pid: s.pid,
      state: s.state,
      uptime: s.startedAt !== null && s.state === 'RUNNING' ? Math.max(0, Math.round(current.at / 1000 - s.startedAt)) : null,
      restarts: s.restarts,
      cpu: comparable ? Math.round((((s.cpuSeconds as number) - (old.cpuSeconds as number)) / elapsed) * 1000) / 10 : null,
      cpuSeconds: s.cpuSeconds,
      memory: s.residentBytes,
      critical: s.critical,
      source: s.source,
    };
  });
}
