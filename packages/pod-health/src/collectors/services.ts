// Per-service process view (state, pid, restarts, start time, CPU seconds, RSS): from the
// supervisor state file when fresh, otherwise from PM2's list; figures from /proc/<pid>/stat.
import type { ProcessLister, ServiceState } from './pm2-process-list';
import { readProcessUsage } from './process-stat';
import { readSupervisorState } from './supervisor-state';

export interface ServiceSample {
  name: string;
  source: 'supervisor' | 'pm2';
  state: ServiceState;
  pid: number | null;
  restarts: number;
  startedAt: number | null;
  cpuSeconds: number | null;
  residentBytes: number | null;
  critical: boolean;
}

export interface ServicesSource {
  supervisorStateFile: string;
  lister: ProcessLister;
  procRoot: string;
}

export async function collectServices({ supervisorStateFile, lister, procRoot }: ServicesSource): Promise<ServiceSample[]> {
  const supervised = await readSupervisorState(supervisorStateFile);
  const base = supervised
    ? supervised.map((s) => ({ ...s, source: 'supervisor' as const, memoryBytes: null }))
    : (await lister.list()).map((a) => ({ ...a, source: 'pm2' as const, critical: true }));
  return Promise.all(
    base.map(async (s) => {
      const usage = s.pid ? await readProcessUsage(procRoot, s.pid) : null;
      return {
        name: s.name,
        source: s.source,
        state: s.state,
        pid: s.pid,
        restarts: s.restarts,
        startedAt: s.startedAt,
        cpuSeconds: usage?.cpuSeconds ?? null,
        residentBytes: usage?.residentBytes ?? s.memoryBytes ?? null,
        critical: s.critical,
      };
    }),
  );
}
