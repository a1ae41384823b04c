// Composes the collectors (one source each) into one snapshot: runs them one after another (so
// each timing is its own and probe latencies are not inflated by a neighbour's synchronous work),
// and keeps going when one fails, so a missing cgroup file never blanks the whole view.
import type { CpuSample } from './collectors/cpu';
import type { FilesystemSample } from './collectors/filesystem';
import type { MemorySample } from './collectors/memory';
import type { InterfaceSample } from './collectors/network';
import type { ProbeSample } from './collectors/probes';
import type { ServiceMetricsSample } from './collectors/service-metrics';
import type { ServiceSample } from './collectors/services';

export interface Readings {
  memory: MemorySample;
  cpu: CpuSample;
  filesystem: FilesystemSample;
  network: InterfaceSample[];
  services: ServiceSample[];
  probes: ProbeSample[];
  serviceMetrics: ServiceMetricsSample[];
}

export type CollectorName = keyof Readings;
export type Collectors = { [K in CollectorName]: () => Promise<Readings[K]> };

export interface Snapshot {
  /** Wall-clock time the collection started, in ms since the epoch. */
  at: number;
  readings: Partial<Readings>;
  /** Wall time each collector took, in seconds (probes include waiting for the services). */
  costs: Partial<Record<CollectorName, number>>;
  errors: Partial<Record<CollectorName, string>>;
}

export interface CollectorRegistry {
  names: CollectorName[];
  collect(): Promise<Snapshot>;
}

export function createCollectorRegistry(collectors: Collectors, clock: () => number = Date.now): CollectorRegistry {
  const names = Object.keys(collectors) as CollectorName[];
  return {
    names,
    async collect() {
      const snapshot: Snapshot = { at: clock(), readings: {}, costs: {}, errors: {} };
      const run = async <K extends CollectorName>(name: K): Promise<void> => {
        const started = process.hrtime.bigint();
        try {
          snapshot.readings[name] = await (collectors[name] as () => Promise<Readings[K]>)();
        } catch (err) {
          snapshot.errors[name] = err instanceof Error ? err.message : String(err);
        } finally {
          snapshot.costs[name] = Number(process.hrtime.bigint() - started) / 1e9;
        }
      };
      for (const name of names) await run(name);
      return snapshot;
    },
  };
}
